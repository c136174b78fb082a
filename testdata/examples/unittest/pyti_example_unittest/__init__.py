"""A stack and a bounded queue, tested with plain unittest."""


class Stack:
    """A last-in, first-out stack."""

    def __init__(self):
        self._items = []

    def push(self, item):
        self._items.append(item)

    def pop(self):
        if not self._items:
            raise IndexError("pop from empty stack")
        return self._items.pop()

    def __len__(self):
        return len(self._items)


class BoundedQueue:
    """A first-in, first-out queue that refuses items beyond its capacity."""

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items = []

    def put(self, item):
        if len(self._items) >= self.capacity:
            raise OverflowError("queue is full")
        self._items.append(item)

    def get(self):
        if not self._items:
            raise IndexError("get from empty queue")
        return self._items.pop(0)

    def __len__(self):
        return len(self._items)
