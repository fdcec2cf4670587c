"""Alerts: notifiers (Apprise URLs: email, SMS, Slack, Telegram, ntfy, webhooks...) and the deliveries log."""
