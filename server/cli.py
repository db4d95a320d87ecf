"""Command-line tools: demo data and user creation."""
import click


def register_cli(app) -> None:
    from server import demo

    @app.cli.command("demo")
    def demo_cmd():
        """Fill an empty database with the demo; leave a database with data alone."""
        click.echo(demo.seed())

    @app.cli.command("close-events")
    @click.option("--grace-minutes", type=int, default=None, help="wait this long after a window closes")
    def close_events_cmd(grace_minutes):
        """Close published events whose check-in window ended (no_checkout, party-day absentee deductions)."""
        from datetime import timedelta

        from server.hours.closing import close_ended_events
        r = close_ended_events(after=None if grace_minutes is None else timedelta(minutes=grace_minutes))
        click.echo(f"closed {r['closed']} events: {r['no_checkout']} without check-out, {r['absent']} absentees")
        from server.db_setup import refresh_statistics
        refresh_statistics()  # run from cron every few minutes: the planner's statistics stay current

    users = click.Group("users", help="Manage users.")

    @users.command("create")
    @click.option("--name", required=True)
    @click.option("--phone", required=True)
    @click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
    @click.option("--role", type=click.Choice(["member", "organizer", "liaison", "admin"]), default="member")
    @click.option("--org", "org_id", type=int, help="organization id (branch of a member, scope of an organizer)")
    @click.option("--community", "community_id", type=int, help="community id (scope of a liaison)")
    def create_user_cmd(name, phone, password, role, org_id, community_id):
        """Create a user with a role and its scope."""
        click.echo(demo.create_user_cli(name, phone, password, role, org_id, community_id))

    app.cli.add_command(users)
