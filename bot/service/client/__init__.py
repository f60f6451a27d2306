"""Client pages: a signed link (`EXTERIOR_PUBLIC_URL/c/<token>`) that shows one design's family
(the photo, the results, a before/after slider) to someone who is not in the Discord, from the
bot's own copies of the pictures; revocable, expiring, and every opening counted."""
