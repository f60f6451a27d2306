"""What the bot posts about a generation: job cards, result cards, their live updates, and
what the cards' buttons do (Before / after, New mask…, History, Share, Check again)."""
