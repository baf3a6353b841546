"""Social: notes, feeds, search, likes, boards, comments, follows, notifications, translation."""
