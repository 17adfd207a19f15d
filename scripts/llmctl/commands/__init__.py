"""One module per llmctl command."""
