"""A small local package: the size benchmark installs it with pip, without an index."""


def hello(name):
    return f"hello, {name}\n"
