"""``central [--config PATH]``: run the central service until SIGTERM or SIGINT.

``central agent add|list|remove|password …`` manages the agent accounts in the state dir instead,
``central device add|list|remove|password …`` the device registry, ``central broker-config --out DIR``
writes the broker's password, ACL and configuration files from it, and ``central posters --out DIR`` the
info points' posters.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import logging
import signal
import sqlite3
import sys
from pathlib import Path

from central.accounts import AccountError, AgentAccounts, Role
from central.cli_devices import add_device_commands, broker_config_command, device_command
from central.points.cli import add_posters_command, posters_command
from central.points.registry import RegistryError
from central.records import StoreError
from central.registry import RegistryError as DeviceRegistryError
from central.service import CentralService, StoreUrlError, accounts_path
from central.settings import ENV_PREFIX, CentralSettings
from config.loader import SETTINGS_ERROR_EXIT_STATUS
from config.program import add_config_option, program_settings
from config.version import program_version
from device.systemd import Notifier, send_watchdog_pings

log = logging.getLogger("central")

START_FAILED_EXIT_STATUS = 1
ACCOUNT_ERROR_EXIT_STATUS = 1
# DeviceRegistryError: a device registry this program cannot open (newer, or its PostgreSQL down)
START_ERRORS = (OSError, sqlite3.Error, StoreError, StoreUrlError, AccountError, RegistryError, DeviceRegistryError)


def main(argv: list[str] | None = None) -> int:
    """The console script; returns the exit status."""
    args = _parse_args(argv)
    settings = program_settings("central", CentralSettings, ENV_PREFIX, args.config)
    if settings is None:
        return SETTINGS_ERROR_EXIT_STATUS
    if args.command == "agent":
        return _agent_command(args, settings)
    if args.command == "display":
        return _display_command(args, settings)
    if args.command == "device":
        return device_command(args, settings)
    if args.command == "broker-config":
        return broker_config_command(args, settings)
    if args.command == "posters":
        return posters_command(args, settings)
    return asyncio.run(_run(settings))


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="central",
        description="The services behind the kiosks and signage: fleet state, the call switchboard and pages. "
        "Without a command, runs the service until SIGTERM or SIGINT.",
    )
    add_config_option(parser, ENV_PREFIX)
    config_help = "TOML settings file (may also follow the command)"
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    agent = commands.add_parser("agent", help="manage the agent accounts in the state dir")
    actions = agent.add_subparsers(dest="action", metavar="ACTION", required=True)

    def config_option(sub: argparse.ArgumentParser) -> None:
        # --config may also follow the subcommand; SUPPRESS keeps the one given before it
        sub.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="PATH", help=config_help)

    add = actions.add_parser("add", help="add an account (asks for the password twice)")
    add.add_argument("agent_id", metavar="ID")
    add.add_argument("--name", required=True, help="display name, shown to passengers and on the wallboard")
    add.add_argument(
        "--skills", default="", help="comma-separated queues the agent serves, e.g. zh,en,sign (agents only)"
    )
    add.add_argument(
        "--roles",
        default="agent",
        help=f"comma-separated: {', '.join(Role)} (default agent; admin may do everything)",
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    config_option(add)

    listing = actions.add_parser("list", help="list the agents")
    config_option(listing)

    remove = actions.add_parser("remove", help="remove an agent")
    remove.add_argument("agent_id", metavar="ID")
    config_option(remove)

    password = actions.add_parser("password", help="set an agent's password (asks twice)")
    password.add_argument("agent_id", metavar="ID")
    password.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    config_option(password)

    roles = actions.add_parser("roles", help="set what an account may do")
    roles.add_argument("agent_id", metavar="ID")
    roles.add_argument("roles", metavar="ROLES", help=f"comma-separated: {', '.join(Role)}")
    config_option(roles)

    display = commands.add_parser("display", help="manage wall displays (the wallboard without a sign-in)")
    display_actions = display.add_subparsers(dest="action", metavar="ACTION", required=True)
    display_add = display_actions.add_parser("add", help="add a wall display; its link is shown once")
    display_add.add_argument("name", metavar="NAME", help="a-z 0-9 -, e.g. ops-room-1")
    config_option(display_add)
    display_list = display_actions.add_parser("list", help="list the wall displays")
    config_option(display_list)
    display_remove = display_actions.add_parser("remove", help="remove a wall display (its screen is signed out)")
    display_remove.add_argument("name", metavar="NAME")
    config_option(display_remove)
    add_device_commands(commands, config_option)
    add_posters_command(commands, config_option)
    return parser.parse_args(argv)


# --- agent accounts --------------------------------------------------------------------------------


def _open_accounts(settings: CentralSettings) -> AgentAccounts | None:
    """The accounts file in the state dir, or None after saying why it cannot be opened."""
    settings.app.prepare_state_dir()
    try:
        return AgentAccounts(accounts_path(settings))
    except (AccountError, sqlite3.Error) as exc:
        print(f"central: cannot open the accounts: {exc}", file=sys.stderr)
        return None


def _agent_command(args: argparse.Namespace, settings: CentralSettings) -> int:
    accounts = _open_accounts(settings)
    if accounts is None:
        return ACCOUNT_ERROR_EXIT_STATUS
    try:
        if args.action == "add":
            roles = [part.strip() for part in args.roles.split(",") if part.strip()]
            skills = _skills(args.skills, settings, required=Role.AGENT.value in roles)
            account = accounts.add(args.agent_id, args.name, skills, _new_password(args.password_stdin), roles)
            print(
                f"central: {account.agent_id} added (roles {', '.join(account.roles)}; "
                f"skills {', '.join(account.skills) or 'none'})"
            )
        elif args.action == "list":
            for account in accounts.list():
                print(f"{account.agent_id}\t{account.name}\t{','.join(account.skills)}\t{','.join(account.roles)}")
        elif args.action == "remove":
            if not accounts.remove(args.agent_id):
                raise AccountError(f"no agent {args.agent_id}")
            print(f"central: agent {args.agent_id} removed")
        elif args.action == "roles":
            account = accounts.update(args.agent_id, roles=[part.strip() for part in args.roles.split(",")])
            print(f"central: {account.agent_id} may now: {', '.join(account.roles)}")
        elif args.action == "password":
            if accounts.get(args.agent_id) is None:
                raise AccountError(f"no agent {args.agent_id}")
            accounts.set_password(args.agent_id, _new_password(args.password_stdin))
            print(f"central: password of agent {args.agent_id} changed")
    except AccountError as exc:
        print(f"central: {exc}", file=sys.stderr)
        return ACCOUNT_ERROR_EXIT_STATUS
    finally:
        accounts.close()
    return 0


def _display_command(args: argparse.Namespace, settings: CentralSettings) -> int:
    accounts = _open_accounts(settings)
    if accounts is None:
        return ACCOUNT_ERROR_EXIT_STATUS
    try:
        if args.action == "add":
            token = accounts.add_display(args.name)
            print(f"central: wall display {args.name} added. Open this once on its screen (shown only now):")
            print(f"/wallboard/display?token={token}")
        elif args.action == "list":
            for name in accounts.displays():
                print(name)
        elif args.action == "remove":
            if not accounts.remove_display(args.name):
                raise AccountError(f"no display {args.name}")
            print(f"central: wall display {args.name} removed")
    except AccountError as exc:
        print(f"central: {exc}", file=sys.stderr)
        return ACCOUNT_ERROR_EXIT_STATUS
    finally:
        accounts.close()
    return 0


def _skills(text: str, settings: CentralSettings, *, required: bool) -> list[str]:
    skills = [part.strip() for part in text.split(",") if part.strip()]
    known = settings.calls.skills
    unknown = [skill for skill in skills if skill not in known]
    if required and not skills:
        raise AccountError(f"an agent needs --skills, some of {', '.join(known)} ([calls] skills)")
    if unknown:
        raise AccountError(f"skills must be some of {', '.join(known)} ([calls] skills); not {', '.join(unknown)}")
    return skills


def _new_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password: ")
    if getpass.getpass("Once more: ") != first:
        raise AccountError("the two passwords differ")
    return first


# --- the service -----------------------------------------------------------------------------------


async def _run(settings: CentralSettings) -> int:
    service = CentralService(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, _on_signal, loop, stop, signum)
    try:
        await service.start()
    except START_ERRORS as exc:
        log.error("cannot start: %s", exc)
        await service.stop()
        return START_FAILED_EXIT_STATUS
    # what starting loaded (modules, models, routes, settings) lasts as long as the process: frozen out of the
    # cyclic collector's sight, so its full collections, which a fleet's steady churn of reports sets off,
    # scan only what came after (bench.fleet)
    gc.collect()
    gc.freeze()
    print(f"central: facilities page at {service.facilities_url}", flush=True)
    print(f"central: agent console at {service.agent_url}", flush=True)
    print(f"central: wallboard at {service.wallboard_url}", flush=True)
    notifier = Notifier.from_environment()  # systemd's Type=notify unit (deploy/server): ready, then alive
    notifier.ready(f"central {program_version()}: serving {service.facilities_url}", program_version())
    pings = asyncio.create_task(send_watchdog_pings(notifier))
    await stop.wait()
    pings.cancel()
    notifier.stopping()
    await service.stop()
    log.info("stopped")
    return 0


def _on_signal(loop: asyncio.AbstractEventLoop, stop: asyncio.Event, signum: int) -> None:
    log.info("%s received, shutting down", signal.Signals(signum).name)
    # a second signal during shutdown acts as the default does (ends the process at once)
    for handled in (signal.SIGTERM, signal.SIGINT):
        loop.remove_signal_handler(handled)
    stop.set()
