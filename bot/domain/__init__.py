"""The domain: plain functions and classes, no Telegram import, tested without a bot."""
