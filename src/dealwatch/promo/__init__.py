"""The store-promotion job: stores, detection cascade, daily history and next-sale forecast."""
