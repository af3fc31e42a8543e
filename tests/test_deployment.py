"""The README's deployment steps, run exactly as written on a fresh database."""
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent


def deployment_commands() -> list[list[str]]:
    """The ``flask`` lines of the README's "Deploying on PostgreSQL" block,
    minus the long-running scheduler."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"### Deploying on PostgreSQL\s+```sh\n(.*?)```", readme, re.S).group(1)
    commands = []
    for line in block.replace("\\\n", " ").splitlines():  # join continued lines
        words = shlex.split(line, comments=True)
        if words and words[0].endswith("/flask") and words[-1] != "scheduler":
            commands.append(words)
    return commands


def test_the_readme_deployment_works_on_a_fresh_database(tmp_path):
    commands = deployment_commands()
    assert [c[3:5] for c in commands] == [["db", "upgrade"], ["pool", "init"], ["pool", "create-user"],
                                          ["pool", "create-user"]]
    url = f"sqlite:///{tmp_path / 'pool.sqlite3'}"
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="deployment-test", POOL_INSTANCE_PATH=str(tmp_path))
    flask = str(Path(sys.executable).with_name("flask"))
    outputs = []
    for words in commands + [commands[1]]:  # init twice: idempotent
        done = subprocess.run([flask, *words[1:]], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, (words, done.stdout, done.stderr)
        outputs.append(done.stdout)
    assert "本次新建 7 个" in outputs[1] and "本次新建 0 个" in outputs[-1]
    assert "初始密码" in outputs[3]
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM county")).scalar() == 7
        officer = conn.execute(text(
            "SELECT c.name FROM user_account u JOIN county c ON c.id = u.county_id "
            "WHERE u.username = 'officer_dy'")).scalar()
    engine.dispose()
    assert officer == "大冶市"
