"""Domain services. They take and return plain values and know nothing of Telegram."""
