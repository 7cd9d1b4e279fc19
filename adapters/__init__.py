"""Platform adapters: each turns its platform's events into core calls and renders Replies."""
