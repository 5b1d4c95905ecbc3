"""A naive OpenAI Responses handler that the kit fails."""
