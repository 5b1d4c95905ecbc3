"""A Bot-Framework-style streaming tools planner for OpenAI Chat Completions."""
