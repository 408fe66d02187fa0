# A cheat, not a mistake (issue 24): no process at all. Raw threads, which the judge's scheduler does
# not run, connect to the judge's rendezvous socket themselves and claim to be two worker processes.
import _thread
import json
import socket


def is_prime(n):
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def count_primes(numbers):
    return sum(1 for n in numbers if is_prime(n))


def _forged_call(check, n, fake_pid, results, finished):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.connect(check.address)
        sock.sendall(json.dumps({"pid": fake_pid, "item": n, "in_parent": False}).encode() + b"\n")
        sock.recv(64)  # "go"
        results[n] = type(check)(None, check.predicate)(n)  # the same answer, computed here
        sock.sendall(b"done\n")
        sock.recv(64)
    finally:
        sock.close()
        finished.release()


def parallel_count(numbers, workers=4, check=is_prime):
    numbers = list(numbers)
    if not hasattr(check, "address") or check.address is None:
        return sum(1 for n in numbers if check(n))
    results = {}
    pending = []
    for i, n in enumerate(numbers):
        finished = _thread.allocate_lock()
        finished.acquire()
        pending.append(finished)
        _thread.start_new_thread(_forged_call, (check, n, 40000 + i % 2, results, finished))
    for finished in pending:
        finished.acquire()
    return sum(1 for n in numbers if results.get(n))
