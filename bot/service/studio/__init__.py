"""Previews before spending: drafts (a suggested or painted mask, not yet paid for), the signed
one-time links to them, and the browser studio page that edits them."""
