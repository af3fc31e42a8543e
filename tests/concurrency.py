"""Racing requests in tests: ``n`` threads released together by a barrier."""
import threading

from models import db


def all_at_once(app, n, action, *, barrier_timeout: float = 30, join_timeout: float = 120) -> list:
    """Run ``action(i)`` in ``n`` threads, each in its own app context and
    session, released together by a barrier; their results (or exceptions).

    Nothing runs before the barrier: on SQLite the first statement takes the
    write lock, and the others would wait at BEGIN instead of racing."""
    barrier = threading.Barrier(n)
    outcomes = [None] * n

    def worker(i):
        with app.app_context():
            try:
                barrier.wait(timeout=barrier_timeout)
                outcomes[i] = action(i)
            except Exception as exc:  # noqa: BLE001 - reported by the caller's assertion
                db.session.rollback()
                outcomes[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=join_timeout)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes
