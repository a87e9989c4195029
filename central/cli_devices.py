"""``central device add|list|remove|password`` and ``central broker-config``: the device registry and the
broker files made from it."""

from __future__ import annotations

import argparse
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

from bus.messages.device import DeviceKind
from bus.topics import Topics
from central.broker.config import (
    DEFAULT_MAX_PACKET_BYTES,
    DEFAULT_MAX_QUEUED_MESSAGES,
    DEFAULT_PERSISTENCE_DIR,
    BrokerConfigError,
    Listener,
    write_broker_files,
)
from central.broker.passwords import generate_password, hash_for_mosquitto
from central.registry import BrokerUser, DeviceRegistry, RegistryError, registry_place
from central.settings import CentralSettings

COMMAND_ERROR_EXIT_STATUS = 1


def add_device_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    config_option: Callable[[argparse.ArgumentParser], None],
) -> None:
    """The ``device`` and ``broker-config`` subcommands."""
    device = commands.add_parser("device", help="manage the device registry (kiosks and displays) in the state dir")
    actions = device.add_subparsers(dest="action", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="register a device; its broker password is generated and shown once")
    add.add_argument("device_id", metavar="ID", help="lower-case letters, digits and '-', 1-64")
    add.add_argument("--kind", required=True, choices=[kind.value for kind in DeviceKind])
    add.add_argument("--location", default="", help="where it stands, as staff say it (e.g. 'T1 Hall B')")
    add.add_argument("--password-stdin", action="store_true", help="read the broker password from standard input")
    config_option(add)

    listing = actions.add_parser("list", help="list the registered devices")
    config_option(listing)

    remove = actions.add_parser("remove", help="remove a device (regenerate the broker files afterwards)")
    remove.add_argument("device_id", metavar="ID")
    config_option(remove)

    password = actions.add_parser("password", help="give a device a new broker password (generated unless given)")
    password.add_argument("device_id", metavar="ID")
    password.add_argument("--password-stdin", action="store_true", help="read the broker password from standard input")
    config_option(password)

    broker = commands.add_parser(
        "broker-config", help="write Mosquitto's passwd, acl and mosquitto.conf from the registry and [bus]"
    )
    broker.add_argument("--out", required=True, type=Path, metavar="DIR", help="directory to write the files into")
    broker.add_argument("--port", type=int, default=8883, help="TLS listener port (default 8883)")
    broker.add_argument("--host", default="", help="TLS listener address (default: every address)")
    broker.add_argument("--tls-cert", type=Path, metavar="PEM", help="the broker's certificate (chain)")
    broker.add_argument("--tls-key", type=Path, metavar="PEM", help="the broker's private key")
    broker.add_argument("--tls-ca", type=Path, metavar="PEM", help="CA file to announce (optional)")
    broker.add_argument(
        "--local-port", type=int, default=0, help="also a plaintext listener on 127.0.0.1 at this port (0: none)"
    )
    broker.add_argument(
        "--max-packet-bytes", type=int, default=DEFAULT_MAX_PACKET_BYTES, help="largest MQTT packet the broker takes"
    )
    broker.add_argument(
        "--max-queued-messages",
        type=int,
        default=DEFAULT_MAX_QUEUED_MESSAGES,
        metavar="N",
        help=f"messages the broker keeps for central while it is away (default {DEFAULT_MAX_QUEUED_MESSAGES:,}: "
        "10 min of events from 2,000 devices)",
    )
    broker.add_argument(
        "--persistence-dir",
        type=Path,
        default=DEFAULT_PERSISTENCE_DIR,
        metavar="DIR",
        help=f"where the broker keeps retained messages across restarts (default {DEFAULT_PERSISTENCE_DIR}); "
        "'none' to keep them in memory only",
    )
    config_option(broker)


def device_command(args: argparse.Namespace, settings: CentralSettings) -> int:
    settings.app.prepare_state_dir()
    try:
        registry = DeviceRegistry(registry_place(settings))
    except (RegistryError, sqlite3.Error) as exc:
        print(f"central: cannot open the device registry: {exc}", file=sys.stderr)
        return COMMAND_ERROR_EXIT_STATUS
    try:
        if args.action == "add":
            password, generated = _password(args.password_stdin)
            device = registry.add(args.device_id, DeviceKind(args.kind), args.location, password)
            print(f"central: device {device.device_id} registered ({device.kind.value})")
            if generated:
                _show_once(device.device_id, password)
        elif args.action == "list":
            for device in registry.list():
                print(f"{device.device_id}\t{device.kind.value}\t{device.location}")
        elif args.action == "remove":
            if not registry.remove(args.device_id):
                raise RegistryError(f"no device {args.device_id}")
            print(f"central: device {args.device_id} removed; regenerate the broker files (central broker-config)")
        elif args.action == "password":
            password, generated = _password(args.password_stdin)
            registry.set_password(args.device_id, password)
            print(f"central: broker password of device {args.device_id} changed")
            if generated:
                _show_once(args.device_id, password)
    except RegistryError as exc:
        print(f"central: {exc}", file=sys.stderr)
        return COMMAND_ERROR_EXIT_STATUS
    finally:
        registry.close()
    return 0


def broker_config_command(args: argparse.Namespace, settings: CentralSettings) -> int:
    bus = settings.bus
    if not bus.username or bus.password is None:
        print(
            "central: set central's own broker user first: [bus] username and password "
            "(CENTRAL_BUS__USERNAME, CENTRAL_BUS__PASSWORD)",
            file=sys.stderr,
        )
        return COMMAND_ERROR_EXIT_STATUS
    listeners = []
    if args.tls_cert is not None or args.tls_key is not None:
        listeners.append(Listener(args.port, args.host, args.tls_cert, args.tls_key, args.tls_ca))
    if args.local_port:
        listeners.append(Listener(args.local_port, "127.0.0.1"))
    central = BrokerUser(bus.username, hash_for_mosquitto(bus.password.get_secret_value()))
    try:
        place = registry_place(settings)
        registry = DeviceRegistry(place) if isinstance(place, str) or place.exists() else None
        devices = registry.broker_users() if registry is not None else []
        if registry is not None:
            registry.close()
        written = write_broker_files(
            args.out.resolve(),
            Topics(bus.topic_root),
            central,
            devices,
            listeners,
            args.max_packet_bytes,
            None if str(args.persistence_dir) == "none" else args.persistence_dir,
            args.max_queued_messages,
        )
    except (BrokerConfigError, RegistryError, sqlite3.Error, OSError) as exc:
        print(f"central: cannot write the broker files: {exc}", file=sys.stderr)
        return COMMAND_ERROR_EXIT_STATUS
    for path in written:
        print(f"central: wrote {path}")
    print(f"central: {len(devices)} device(s) and central's user {bus.username!r}; reload Mosquitto to apply")
    return 0


def _password(from_stdin: bool) -> tuple[str, bool]:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    return generate_password(), True


def _show_once(device_id: str, password: str) -> None:
    # Printed once for the installer to put in the device's settings; central keeps only the hash.
    print(f"broker password for {device_id} (shown once, put it in the device's [bus] password): {password}")
