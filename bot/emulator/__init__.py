"""A Bot API emulator on loopback, strict like Telegram, for the demo and the tests."""

from bot.emulator.server import BotApiEmulator, ChatMessage, ForumTopic

__all__ = ["BotApiEmulator", "ChatMessage", "ForumTopic"]
