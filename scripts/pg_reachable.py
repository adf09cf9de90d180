"""Exit 0 when the Postgres server named by the SQLAlchemy URL in argv[1] accepts a connection, else 1."""

import sys

from sqlalchemy import create_engine, text


def main() -> int:
    try:
        engine = create_engine(sys.argv[1], connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any failure means "not reachable"; the reason is printed for the user
        print(f"  ({type(exc).__name__}: {str(exc).splitlines()[0]})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
