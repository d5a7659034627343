"""The apprise URL templates a process sends with, read from the settings once.

Empty settings mean the local servers `make run` starts (sandbox_messages/): mail to aiosmtpd
on ESCROW_DEV_SMTP_PORT, texts to the sandbox SMS gateway on ESCROW_DEV_SMS_PORT through
apprise's generic JSON plugin (`:to=` adds the mobile to the JSON body it posts).
"""

from dataclasses import dataclass

from config.settings import Settings
from notify.channels import ChannelKind, target_url


@dataclass(frozen=True)
class Providers:
    email_template: str
    sms_template: str
    public_url: str

    def url_for(self, kind: ChannelKind, address: str) -> str:
        return target_url(kind, address, email_template=self.email_template, sms_template=self.sms_template)

    def link(self, path: str) -> str:
        """A page's address as a reader opens it from a mail or a text."""
        return f"{self.public_url.rstrip('/')}{path}" if path.startswith("/") else path


def providers(settings: Settings) -> Providers:
    email = settings.email_url_template.get_secret_value() or (
        f"mailto://127.0.0.1:{settings.dev_smtp_port}/{{address}}?from=escrow%40localhost&name=Escrow"
    )
    sms = settings.sms_url_template.get_secret_value() or (
        f"json://127.0.0.1:{settings.dev_sms_port}/sms?:to={{address}}"
    )
    return Providers(email_template=email, sms_template=sms, public_url=settings.public_url)
