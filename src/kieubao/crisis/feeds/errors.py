"""The two ways a feed document fails: as a whole, or one item at a time."""


class FeedError(Exception):
    """The whole document is unusable: not JSON or XML, too big, or hostile."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ItemRejected(Exception):
    """One item cannot be read; the parser records why and goes on with the next."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# What reading one item may raise beyond ItemRejected, from an input no one foresaw: it
# costs that item, with the error named, never the rest of the feed.
UNFORESEEN = (
    ArithmeticError,
    AttributeError,
    IndexError,
    KeyError,
    LookupError,
    RecursionError,
    TypeError,
    ValueError,
)


def unforeseen(exc: Exception) -> str:
    return f"the item could not be read ({type(exc).__name__}: {str(exc)[:200]})"
