"""``openkyc client``: call a running OpenKYC from the shell with the bundled Python client."""

from __future__ import annotations

import json

import typer

from openkyc.client import OpenKycApiError, OpenKycClient

client_app = typer.Typer(help="Call the API with the bundled client.", no_args_is_help=True)


@client_app.command("create-session")
def create_session(
    base_url: str = typer.Option("http://127.0.0.1:8000", "--base-url"),
    api_key: str = typer.Option(..., "--api-key", envvar="OPENKYC_API_KEY"),
    secret_key: str = typer.Option(..., "--secret-key", envvar="OPENKYC_SECRET_KEY"),
    email: str | None = typer.Option(None, "--email"),
    phone: str | None = typer.Option(None, "--phone"),
    customer_id: str | None = typer.Option(None, "--customer-id"),
    callback_url: str | None = typer.Option(None, "--callback-url"),
    language: str | None = typer.Option(None, "--language"),
) -> None:
    """Create a session and print it as JSON."""
    with OpenKycClient(base_url, api_key=api_key, secret_key=secret_key) as client:
        try:
            session = client.create_session(
                customer_email=email,
                customer_phone=phone,
                customer_id=customer_id,
                callback_url=callback_url,
                language=language,
            )
        except OpenKycApiError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(json.dumps(session.raw, ensure_ascii=False, indent=2))


@client_app.command("get-session")
def get_session(
    session_id: str,
    base_url: str = typer.Option("http://127.0.0.1:8000", "--base-url"),
    api_key: str = typer.Option(..., "--api-key", envvar="OPENKYC_API_KEY"),
    secret_key: str = typer.Option(..., "--secret-key", envvar="OPENKYC_SECRET_KEY"),
) -> None:
    """Print one session as JSON."""
    with OpenKycClient(base_url, api_key=api_key, secret_key=secret_key) as client:
        try:
            session = client.get_session(session_id)
        except OpenKycApiError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(json.dumps(session.raw, ensure_ascii=False, indent=2))


@client_app.command("simulate")
def simulate(
    session_id: str,
    outcome: str = typer.Argument(..., help="approve, decline, review, retake or expire"),
    reason: list[str] = typer.Option(
        [], "--reason", help="A decline reason code, e.g. DOCUMENT_EXPIRED (repeatable)."
    ),
    base_url: str = typer.Option("http://127.0.0.1:8000", "--base-url"),
    api_key: str = typer.Option(..., "--api-key", envvar="OPENKYC_API_KEY"),
    secret_key: str = typer.Option(..., "--secret-key", envvar="OPENKYC_SECRET_KEY"),
) -> None:
    """Test keys only: decide a test session now and print it as JSON."""
    with OpenKycClient(base_url, api_key=api_key, secret_key=secret_key) as client:
        try:
            session = client.simulate(session_id, outcome, decline_reasons=reason)
        except OpenKycApiError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
    typer.echo(json.dumps(session.raw, ensure_ascii=False, indent=2))
