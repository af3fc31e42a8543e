"""``flask pool init|import-table|create-user|create-token|…|seed-demo|check|template``:
set-up, accounts, API tokens, demo data and eligibility checks from the command line."""
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select

from models import CITY_ADMIN, COUNTY_OFFICER, ENTERPRISE, County, User, db, utcnow

from pool.access import accounts, sessions, tokens
from pool.reference import city
from pool.demo import data as demo, bulk as demo_bulk
from pool.io import batch as eligibility, reference_import, workbook
from pool.kernel import jsonutil
from pool.eligibility import rulebook
from pool.cli.base import parse_date, pool_cli, today
from pool.cli import pools as pool_checks

@pool_cli.command("init")
def init():
    """Create the city's counties on a fresh database (idempotent)."""
    counties, created = city.ensure_counties(db.session)
    db.session.commit()
    click.echo(f"{city.CITY_NAME}：县市区 {len(counties)} 个（本次新建 {created} 个）；"
               "参考分类表随系统提供，无需初始化")


@pool_cli.command("import-table")
@click.argument("kind", type=click.Choice(sorted(reference_import.KINDS)))
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--valid-from", required=True, callback=parse_date, help="官方文件规定的施行日期 YYYY-MM-DD")
@click.option("--source", required=True, help="依据文件（名称及文号）")
@click.option("--note", default="", help="说明")
@click.option("--by", "username", required=True, help="导入人（市级管理员用户名）")
@click.option("--yes", is_flag=True, help="不询问，直接导入")
def import_table(kind, file, valid_from, source, note, username, yes):
    """Import a revised official table (patent_intensive: CSV/XLSX; sme_size: JSON)."""
    actor = db.session.scalar(select(User).where(User.username == username))
    if actor is None or not actor.is_city_admin:
        raise click.UsageError(f"{username!r} 不是市级管理员")
    book = rulebook.load(db.session)
    try:
        content = reference_import.read_upload(kind, file.name, file.read_bytes())
        preview = reference_import.preview(book, kind, content, valid_from=valid_from, source=source, note=note)
    except reference_import.TableProblems as exc:
        raise click.ClickException("\n".join(exc.problems)) from None
    click.echo(f"对比：{preview.compared_with}")
    for title, items in (("新增", preview.added), ("删除", preview.removed), ("变更", preview.changed)):
        click.echo(f"{title} {len(items)}：" + "；".join(items[:20]) + ("……" if len(items) > 20 else ""))
    if not yes and not click.confirm(f"自 {valid_from} 起适用，导入后不可修改。确认导入？"):
        raise click.Abort()
    try:
        row = reference_import.record(db.session, book, kind, content, valid_from=valid_from,
                                      source=source, note=note, actor=actor)
    except reference_import.TableProblems as exc:
        raise click.ClickException("\n".join(exc.problems)) from None
    db.session.commit()
    click.echo(f"已导入 {reference_import.KINDS[kind]}（版本 {row.id}，{valid_from} 起适用）")


@pool_cli.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice([CITY_ADMIN, COUNTY_OFFICER]), default=COUNTY_OFFICER,
              show_default=True)
@click.option("--county", "county_name", help="县市区名称或行政区划代码（县市区工作人员必填）")
@click.option("--name", "display_name", default="", help="显示名")
@click.option("--email", default=None)
@click.option("--password", default=None,
              help="初始密码；不填则随机生成并打印。也可用环境变量 POOL_PASSWORD 传入。",
              envvar="POOL_PASSWORD")
def create_user(username, role, county_name, display_name, email, password):
    """Create an account and print its password."""
    county = None
    if county_name:
        county = db.session.scalar(select(County).where(
            (County.name == county_name) | (County.code == county_name)))
        if county is None:
            raise click.UsageError(f"未找到县市区 {county_name!r}")
    try:
        user, pw = accounts.create_user(db.session, username=username, display_name=display_name,
                                        role=role, county=county, email=email, password=password)
    except accounts.AccountError as exc:
        raise click.UsageError(str(exc)) from None
    db.session.commit()
    click.echo(f"已创建用户 {user.username}（{role}）")
    if password is None:
        click.echo(f"初始密码：{pw}")


@pool_cli.command("revoke-sessions")
@click.argument("username")
def revoke_sessions(username):
    """Sign USERNAME out everywhere: every session and remember-me token."""
    user = _user_or_usage_error(username)
    sessions.end_all(db.session, user)
    db.session.commit()
    click.echo(f"已使用户 {user.username} 在所有设备上退出登录")


@pool_cli.command("deactivate-user")
@click.argument("username")
@click.option("--reactivate", is_flag=True, help="重新启用（之前的登录不会恢复）")
def deactivate_user(username, reactivate):
    """Deactivate USERNAME (ending all their sessions), or --reactivate."""
    user = _user_or_usage_error(username)
    accounts.set_active(db.session, user, reactivate)
    db.session.commit()
    click.echo(f"已{'启用' if reactivate else '停用'}用户 {user.username}")


@pool_cli.command("create-token")
@click.argument("username")
@click.option("--name", required=True, help="令牌名称（用途），如“市大数据平台”")
def create_token(username, name):
    """An API token for USERNAME (for scripted clients): the token alone on
    stdout, shown this once — only its hash is stored."""
    user = _user_or_usage_error(username)
    try:
        _token, secret = tokens.issue_token(db.session, user, name=name, now=utcnow())
    except tokens.TokenRefused as exc:
        raise click.ClickException(f"不能为用户 {user.username} 创建令牌：{exc}") from None
    db.session.commit()
    click.echo(f"已为用户 {user.username} 创建 API 令牌“{name.strip()}”。令牌只显示这一次，"
               "系统只保存其摘要、无法再次查看，请立即妥善保存；不用时请在“API 令牌”页面吊销。",
               err=True)
    click.echo(secret)


def _user_or_usage_error(username: str) -> User:
    try:
        return accounts.find_user(db.session, username)
    except accounts.AccountError as exc:
        raise click.UsageError(str(exc)) from None


@pool_cli.command("seed-demo")
@click.option("--as-of", callback=parse_date, help="演示数据的基准日期（默认今天）")
@click.option("--enterprises", type=click.IntRange(min=1), default=None,
              help="批量生成这么多家企业（全市各县市区），代替约 60 家的小型演示数据")
@click.option("--years", type=click.IntRange(1, 30), default=5, show_default=True,
              help="批量生成：每家企业的历史年数（年度数据与事件）")
@click.option("--seed", "seed_value", type=int, default=2024, show_default=True,
              help="批量生成：随机种子（同一种子、同一基准日期，结果相同）")
@click.option("--append", is_flag=True,
              help="批量生成：库中已有企业时仍追加（默认拒绝）")
@click.option("--scan", "run_scan", is_flag=True,
              help="批量生成后按基准日期运行风险扫描（风险标记只来自扫描）")
def seed_demo(as_of, enterprises, years, seed_value, append, run_scan):
    """Create the demo counties, accounts and 60 enterprises with two years of history (idempotent).

    The enterprises come through the go-live import; its workbook is kept as
    instance/demo_pool.xlsx.

    With --enterprises N: bulk-generate N enterprises with --years of history
    instead (refused into a database that already holds enterprises unless
    --append).  Risk flags come from the scan: add --scan, or run
    ``flask pool scan --as-of DATE`` afterwards.
    """
    as_of = as_of or today()
    if enterprises is None:
        try:
            result = demo.seed(db.session, as_of=as_of)
        except ValueError as refusal:  # too early a date, or a history the database refuses
            db.session.rollback()
            raise click.ClickException(str(refusal)) from None
        db.session.commit()
        click.echo(f"演示数据：新建县市区 {result.counties} 个，用户 {result.users} 个，"
                   f"企业 {result.enterprises} 家（基准日期 {as_of.isoformat()}）")
        if result.workbook is not None:
            path = Path(current_app.instance_path) / "demo_pool.xlsx"
            path.write_bytes(result.workbook)
            click.echo(f"演示企业及其历史经上线导入写入，所用工作簿：{path}")
        if result.awards is not None:
            click.echo(f"奖补示例：按许昌政策（许知战联办〔2022〕4号）结算 {result.awards.year} 年度，待审核（/awards）")
        _report_credentials(result.credentials)
        return
    with click.progressbar(length=enterprises, label="批量生成企业", file=None) as bar:
        try:
            result = demo_bulk.generate(db.session, enterprises=enterprises, years=years,
                                        as_of=as_of, seed=seed_value, append=append,
                                        progress=bar.update)
        except demo_bulk.BulkRefused as refusal:
            db.session.rollback()
            raise click.ClickException(str(refusal)) from None
    db.session.commit()
    click.echo(f"批量演示数据：企业 {result.enterprises} 家，{years} 年历史（基准日期 {as_of}）；"
               + "，".join(f"{table} {n}" for table, n in result.rows.items()))
    _report_credentials(result.created.credentials)
    if run_scan:
        from pool.cli.monitoring import scan

        # The scan runs in its own session; on SQLite this one's open
        # transaction would hold the write lock it needs.
        db.session.rollback()
        click.get_current_context().invoke(scan, as_of=as_of)
    else:
        click.echo(f"风险标记来自扫描：flask pool scan --as-of {as_of}")


def _report_credentials(created) -> None:
    """Print the demo accounts' passwords, keeping them in instance/ (mode 0600).

    Passwords are stored hashed; the clear text of freshly generated demo
    passwords is kept only in the instance folder (never committed) so that a
    second ``make run`` can print them again.
    """
    path = Path(current_app.instance_path) / "demo_accounts.txt"
    lines = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) == 4:
                lines[parts[0]] = parts
    for username, pw, role, county in created:
        lines[username] = [username, pw, role, county]
    # Only report what still logs in: a password changed since is not shown.
    valid = []
    for username, pw, role, county in lines.values():
        user = db.session.scalar(select(User).where(User.username == username))
        if user is not None and user.check_password(pw):
            valid.append((username, pw, role, county))
    path.touch(mode=0o600, exist_ok=True)
    path.write_text("".join("\t".join(v) + "\n" for v in valid), encoding="utf-8")
    if not valid:
        return
    click.echo("演示账号（密码仅保存在 instance/demo_accounts.txt，登录后请修改）：")
    for username, pw, role, county in valid:
        mark = {CITY_ADMIN: "  ← 市级管理员", ENTERPRISE: "  ← 企业端账号，在 /portal/login 登录"}.get(role, "")
        click.echo(f"  {username:<18} {pw}  {county}{mark}")


@pool_cli.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as-of", callback=parse_date, help="评估日期 YYYY-MM-DD（默认今天）")
@click.option("--pool", "pool_code", default=None, help="培育库代码（默认黄石专利产业化样板企业培育库；见 flask pool pools）")
@click.option("--facts", "facts_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="补充事实 JSON：统一社会信用代码 → {事实名: 值}（该库标准需要而申报数据约定未含的事实）")
def check(file, as_of, pool_code, facts_file):
    """Evaluate the admission criteria of a pool (default: the ten criteria of
    Huangshi's pool) for the applicant(s) in FILE.

    FILE is JSON (one applicant or an array, per applicant.schema.json) or an
    .xlsx in the project's template.  Prints JSON verdicts to stdout and exits
    0 whatever they are; exits 2 listing every input problem on stderr.  Reads
    the policy values in force; writes nothing.
    """
    as_of = as_of or today()
    try:
        check_one = pool_checks.checker(pool_code, facts_file, as_of)
        items, many = eligibility.read(file.read_bytes(), file.name)
        results = eligibility.evaluate_all(items, as_of, _rules(), indexed=many, check_one=check_one)
    except eligibility.InvalidInput as exc:
        click.echo(f"输入有 {len(exc.problems)} 处错误：", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise SystemExit(2) from None
    finally:
        db.session.rollback()  # read-only: make sure nothing is ever written
    click.echo(jsonutil.dumps(eligibility.output(results, many), indent=2))


def _rules():
    """The rulebook from the database, or the shipped defaults without one."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        return rulebook.load(db.session)
    except (OperationalError, ProgrammingError):
        db.session.rollback()
        click.echo("提示：数据库未初始化，按系统默认参数评估", err=True)
        return rulebook.Rulebook(rulebook.Policy(), rulebook.load_industries_defaults())


@pool_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
def template(out):
    """Write the Excel template for applicants (Chinese headers, drop-downs)."""
    counties = [c.name for c in db.session.scalars(select(County).order_by(County.sort_order))]
    workbook.write_template(out, counties=counties)
    click.echo(f"已生成申报模板 {out}")
