"""Raw page snapshots: a content-addressed, compressed, date-partitioned blob store."""
