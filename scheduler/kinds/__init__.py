"""One module per kind of prompt: when it is due, whether it goes out, what it says."""
