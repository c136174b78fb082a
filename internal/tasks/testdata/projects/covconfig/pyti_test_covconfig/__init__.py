"""Shapes and their areas."""
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing import Sequence


class Shape:
    """A shape with an area."""

    def area(self):
        raise NotImplementedError


class Square(Shape):
    """A square of side n."""

    def __init__(self, n):
        self.n = n

    def area(self):
        return self.n * self.n


def total(shapes: "Sequence[Shape]"):
    """The sum of the shapes' areas."""
    return sum(s.area() for s in shapes)


def debug():  # pragma: no cover
    print("shapes")
