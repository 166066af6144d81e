import socket

from greet import hello

if __name__ == "__main__":
    print(hello(socket.gethostname()), end="")
