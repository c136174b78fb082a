import unittest

from pyti_example_unittest import BoundedQueue


class BoundedQueueTest(unittest.TestCase):
    def test_fifo(self):
        q = BoundedQueue(3)
        for i in range(3):
            q.put(i)
        self.assertEqual([q.get(), q.get(), q.get()], [0, 1, 2])

    def test_overflow(self):
        q = BoundedQueue(1)
        q.put("a")
        with self.assertRaises(OverflowError):
            q.put("b")

    def test_bad_capacity(self):
        with self.assertRaises(ValueError):
            BoundedQueue(0)


if __name__ == "__main__":
    unittest.main()
