"""Cloud profiles and credentials: the desktop face of ``facecurator profile|credentials``.

Profiles (region, endpoints, IMM project, default bucket, QPS caps, prices) are
read and written through :mod:`facecurator.cloud.profiles`; the AccessKey goes
to the OS keyring through :mod:`facecurator.cloud.credentials` and nowhere
else: the secret field echoes nothing, is cleared as soon as it was saved, and
is never logged (the core registers it with the redactor). "Test" makes the
same cheap read-only call per service as ``facecurator credentials test``, on a
worker thread, and shows one line per service.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from facecurator.errors import ConfigError, FacecuratorError
from facecurator.gui.background import run_in_background
from facecurator.gui.cloud_forms import SERVICES, ProfileForms
from facecurator.gui.cloud_names import default_profile_name, profile_names
from facecurator.gui.core_errors import core_message

log = logging.getLogger("facecurator.gui.cloud")

SERVICE_NAMES: Final = {"oss": "OSS", "imm": "IMM", "green": "Content Moderation"}
CHECK_TIMEOUT: Final = 10.0

ERROR_COLOUR: Final = "#c62828"
OK_COLOUR: Final = "#2e7d32"

# ``(parent, title, question) -> bool``; tests replace it so nothing blocks.
Confirm = Callable[[QWidget, str, str], bool]


def ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question)
    return answer == QMessageBox.StandardButton.Yes


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


class CloudProfilesDialog(ProfileForms):
    """List, create, edit and delete profiles; store, delete and test their credentials."""

    profilesChanged = Signal(str)  # name of the profile saved or deleted
    credentialsChanged = Signal(str)  # profile whose keyring entries changed
    testFinished = Signal(list)  # CheckResult per service, in SERVICES order

    def __init__(
        self, parent: QWidget | None = None, *, profile: str | None = None, confirm: Confirm | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("cloudProfilesDialog")
        self.setWindowTitle(self.tr("Cloud profiles and credentials"))
        self.confirm: Confirm = confirm or ask_yes_no
        self._test_generation = 0
        self._test_results: dict[str, Any] = {}
        self._editing_new = False
        self._keyring_usable = False

        # -- left: the profiles --------------------------------------------------------
        self.profile_list = QListWidget(self)
        self.profile_list.setObjectName("profileList")
        self.new_button = QPushButton(self.tr("New"), self)
        self.new_button.setObjectName("newProfile")
        self.delete_button = QPushButton(self.tr("Delete…"), self)
        self.delete_button.setObjectName("deleteProfile")
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel(self.tr("Profiles"), left))
        left_layout.addWidget(self.profile_list, 1)
        row = QHBoxLayout()
        row.addWidget(self.new_button)
        row.addWidget(self.delete_button)
        left_layout.addLayout(row)

        # -- middle: settings; right: credentials and test ---------------------------------
        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addWidget(self._build_settings(middle))
        middle_layout.addStretch(1)
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self._build_credentials(right))
        right_layout.addWidget(self._build_test(right))
        right_layout.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.setChildrenCollapsible(False)
        for column in (left, middle, right):
            scroll = QScrollArea(self)  # small screens scroll instead of squeezing the forms
            scroll.setWidgetResizable(True)
            scroll.setWidget(column)
            scroll.setFrameShape(QScrollArea.Shape.NoFrame)
            splitter.addWidget(scroll)
        splitter.setStretchFactor(1, 3)
        splitter.setStretchFactor(2, 3)
        splitter.setSizes([170, 520, 460])

        self.message = QLabel(self)
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.resize(1200, 700)

        self.profile_list.currentTextChanged.connect(self._profile_selected)
        self.new_button.clicked.connect(self.new_profile)
        self.delete_button.clicked.connect(self.delete_current)
        self.save_button.clicked.connect(self.save_profile)
        self.save_credentials_button.clicked.connect(self.save_credentials)
        self.delete_credentials_button.clicked.connect(self.delete_credentials)
        self.test_button.clicked.connect(self.test)
        self.region_edit.textChanged.connect(lambda _t: self._update_endpoint_hints())
        self.reload(profile)

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open_for(cls, parent: QWidget, *, profile: str | None = None) -> CloudProfilesDialog:
        """Show the parent's one dialog (non-modal), creating it on first use."""
        dialog = parent.findChild(cls, "cloudProfilesDialog")
        if dialog is None:
            dialog = cls(parent, profile=profile)
        elif profile:
            dialog.select(profile)
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    # -- messages ----------------------------------------------------------------------------

    def _say(self, text: str, *, error: bool = False) -> None:
        colour = ERROR_COLOUR if error else OK_COLOUR
        self.message.setStyleSheet(f"color: {colour};")
        self.message.setText(text)
        (log.warning if error else log.info)("%s", text)

    # -- profiles ----------------------------------------------------------------------------

    def reload(self, select: str | None = None) -> None:
        """Re-read profiles.toml and the keyring status."""
        current = select or self.current_name() or default_profile_name()
        self.profile_list.blockSignals(True)
        self.profile_list.clear()
        names = profile_names()
        self.profile_list.addItems(names)
        self.profile_list.blockSignals(False)
        self._refresh_keyring_labels()
        self.select(current if current in names else names[0])

    def select(self, name: str) -> None:
        items = self.profile_list.findItems(name, Qt.MatchFlag.MatchExactly)
        if items:
            self.profile_list.setCurrentItem(items[0])
            self._profile_selected(name)

    def current_name(self) -> str | None:
        item = self.profile_list.currentItem()
        return item.text() if item is not None else None

    def _profile_selected(self, name: str) -> None:
        from facecurator.cloud.profiles import load_profile

        if not name:
            return
        self._editing_new = False
        self.name_edit.setReadOnly(True)
        try:
            profile = load_profile(name)
        except FacecuratorError as exc:
            self._say(core_message(exc), error=True)
            return
        self._fill(profile)
        self._refresh_credential_status(name)
        self._clear_test()

    def _fill(self, profile: Any) -> None:
        self.name_edit.setText(profile.name)
        self.region_edit.setText(profile.region)
        for service, edit in self.endpoint_edits.items():
            edit.setText(getattr(profile, f"{service}_endpoint") or "")
        self.imm_project_edit.setText(profile.imm_project or "")
        self.bucket_edit.setText(profile.bucket or "")
        for key, edit in self.qps_edits.items():
            edit.setText(_number_text(profile.qps.get(key)))
        for key, edit in self.price_edits.items():
            edit.setText(_number_text(profile.prices.get(key)))
        self._update_endpoint_hints()

    def _update_endpoint_hints(self) -> None:
        region = self.region_edit.text().strip() or "cn-hangzhou"
        hosts = {
            "oss": f"https://oss-{region}.aliyuncs.com",
            "imm": f"https://imm.{region}.aliyuncs.com",
            "green": f"https://green-cip.{region}.aliyuncs.com",
        }
        for service, edit in self.endpoint_edits.items():
            edit.setPlaceholderText(hosts[service])

    def new_profile(self) -> None:
        """Start a new profile: type a name, fill the settings, save."""
        from facecurator.cloud.profiles import Profile

        self._editing_new = True
        self.profile_list.clearSelection()
        self.profile_list.setCurrentRow(-1)  # no current profile
        self._fill(Profile("new"))
        self.name_edit.clear()
        self.name_edit.setReadOnly(False)
        self.name_edit.setFocus()
        self.credential_status.setText(self.tr("No credentials stored (save the profile first)."))
        self._clear_test()
        self._say(self.tr("New profile: choose a name and save."))

    def _numbers(self, edits: dict[str, QLineEdit], what: str) -> dict[str, float]:
        values: dict[str, float] = {}
        for key, edit in edits.items():
            text = edit.text().strip().replace(",", ".")
            if not text:
                continue
            try:
                values[key] = float(text)
            except ValueError:
                raise ConfigError(
                    self.tr("{field}, {key}: {value} is not a number").format(
                        field=what, key=key, value=repr(text)
                    )
                ) from None
        return values

    def form_profile(self) -> Any:
        """The Profile the form describes (validated by the core; raises ConfigError)."""
        from facecurator.cloud.profiles import DEFAULT_REGION, Profile

        def text(edit: QLineEdit) -> str | None:
            return edit.text().strip() or None

        name = self.name_edit.text().strip()
        if not name:
            raise ConfigError(self.tr("the profile needs a name"))
        return Profile(
            name,
            region=self.region_edit.text().strip() or DEFAULT_REGION,
            oss_endpoint=text(self.endpoint_edits["oss"]),
            imm_endpoint=text(self.endpoint_edits["imm"]),
            green_endpoint=text(self.endpoint_edits["green"]),
            imm_project=text(self.imm_project_edit),
            bucket=text(self.bucket_edit),
            qps=self._numbers(self.qps_edits, self.tr("Requests per second")),
            prices=self._numbers(self.price_edits, self.tr("Prices (USD per 1000 calls)")),
        )

    def save_profile(self) -> bool:
        from facecurator.cloud import profiles
        from facecurator.cloud.ratelimit import reset_limiters
        from facecurator.sources.oss import forget_readers

        try:
            profile = self.form_profile()
            if self._editing_new and profiles.profile_exists(profile.name):
                raise ConfigError(self.tr("a profile named {name} exists already").format(name=profile.name))
            path = profiles.save_profile(profile)
        except FacecuratorError as exc:
            self._say(self.tr("Not saved: {error}").format(error=core_message(exc)), error=True)
            return False
        forget_readers()  # open OSS readers pick up new endpoints
        reset_limiters()  # and new QPS caps
        self._editing_new = False
        self.reload(profile.name)
        self._say(self.tr("Saved profile {name} in {path}").format(name=profile.name, path=path))
        self.profilesChanged.emit(profile.name)
        return True

    def delete_current(self) -> bool:
        from facecurator.cloud import profiles

        name = self.current_name()
        if not name:
            return False
        question = self.tr(
            "Delete profile {name} and its credentials from the keyring? This cannot be undone."
        ).format(name=name)
        if not self.confirm(self, self.tr("Delete profile"), question):
            return False
        try:
            profiles.delete_profile(name)
        except FacecuratorError as exc:
            self._say(self.tr("Not deleted: {error}").format(error=core_message(exc)), error=True)
            return False
        self._forget_clients()
        self.reload()
        self._say(self.tr("Deleted profile {name}").format(name=name))
        self.profilesChanged.emit(name)
        return True

    # -- credentials -------------------------------------------------------------------------

    def _refresh_keyring_labels(self) -> None:
        from facecurator.cloud import credentials

        try:
            credentials.keyring_backend()
            self._keyring_usable = True
        except ConfigError:
            self._keyring_usable = False
        if self._keyring_usable:
            self.keyring_label.setText(credentials.keyring_description())
            self.keyring_label.setToolTip("")
        else:  # the core's diagnosis (English, with the backend's own words) stays in the tooltip
            self.keyring_label.setText(
                self.tr(
                    "No usable OS keyring: start a Secret Service (e.g. gnome-keyring) in your session, "
                    "or set {id_var} and {secret_var} in the environment."
                ).format(id_var=credentials.ENV_ACCESS_KEY_ID, secret_var=credentials.ENV_ACCESS_KEY_SECRET)
            )
            self.keyring_label.setToolTip(credentials.keyring_description())
        self.keyring_label.setStyleSheet("" if self._keyring_usable else f"color: {ERROR_COLOUR};")
        if credentials.env_overrides():
            self.env_label.setText(
                self.tr(
                    "{id_var} / {secret_var} are set in the environment: they override the keyring "
                    "for every profile."
                ).format(id_var=credentials.ENV_ACCESS_KEY_ID, secret_var=credentials.ENV_ACCESS_KEY_SECRET)
            )
            self.env_label.setStyleSheet("color: #b26a00;")
            self.env_label.show()
        else:
            self.env_label.clear()
            self.env_label.hide()

    def _refresh_credential_status(self, name: str) -> None:
        from facecurator.cloud import credentials

        try:
            stored = credentials.keyring_credentials(name)
        except FacecuratorError as exc:
            # The keyring line above already says why when there is no usable keyring.
            usable = self._keyring_usable
            self.credential_status.setText(
                core_message(exc) if usable else self.tr("unavailable (see Keyring)")
            )
            self.credential_status.setStyleSheet(f"color: {ERROR_COLOUR};")
            return
        self.credential_status.setStyleSheet("")
        if stored is None:
            self.credential_status.setText(self.tr("No credentials stored for {name}.").format(name=name))
            self.key_id_edit.clear()
            return
        text = self.tr("AccessKey {key_id} in the keyring").format(key_id=stored.masked_id)
        if stored.security_token:
            text += self.tr(" (with an STS token)")
        self.credential_status.setText(text)
        self.key_id_edit.setText(stored.access_key_id)

    def _clear_secret_fields(self) -> None:
        self.secret_edit.clear()
        self.token_edit.clear()

    def _typed_credentials(self) -> Any:
        """Credentials from the fields (ConfigError when incomplete), or None if no secret was typed."""
        from facecurator.cloud.credentials import Credentials

        secret = self.secret_edit.text()
        if not secret:
            return None
        return Credentials(self.key_id_edit.text().strip(), secret, self.token_edit.text().strip() or None)

    def save_credentials(self) -> bool:
        from facecurator.cloud import credentials

        name = self.current_name()
        if not name or self._editing_new:
            self._say(self.tr("Save the profile first, then its credentials."), error=True)
            return False
        try:
            creds = self._typed_credentials()
            if creds is None:
                raise ConfigError(self.tr("type the AccessKey secret"))
            credentials.store_credentials(name, creds)
        except FacecuratorError as exc:
            self._say(self.tr("Credentials not saved: {error}").format(error=core_message(exc)), error=True)
            return False
        self._clear_secret_fields()
        self._forget_clients()
        self._refresh_credential_status(name)
        self._say(self.tr("Saved the credentials of {name} in the keyring").format(name=name))
        self.credentialsChanged.emit(name)
        return True

    def delete_credentials(self) -> bool:
        from facecurator.cloud import credentials

        name = self.current_name()
        if not name:
            return False
        question = self.tr("Delete the credentials of {name} from the keyring?").format(name=name)
        if not self.confirm(self, self.tr("Delete credentials"), question):
            return False
        try:
            removed = credentials.delete_credentials(name, missing_ok=True)
        except FacecuratorError as exc:
            self._say(self.tr("Credentials not deleted: {error}").format(error=core_message(exc)), error=True)
            return False
        self._clear_secret_fields()
        self._forget_clients()
        self._refresh_credential_status(name)
        self._say(
            self.tr("Deleted the credentials of {name}").format(name=name)
            if removed
            else self.tr("There were no credentials of {name} in the keyring").format(name=name)
        )
        self.credentialsChanged.emit(name)
        return True

    @staticmethod
    def _forget_clients() -> None:
        from facecurator.sources.oss import forget_readers

        forget_readers()

    # -- test --------------------------------------------------------------------------------

    def _clear_test(self) -> None:
        self._test_generation += 1
        self._test_results = {}
        for label in self.test_labels.values():
            label.clear()
        self.test_button.setEnabled(True)

    def kind_text(self, kind: Any) -> str:
        """The operator's words for a :class:`~facecurator.cloud.diagnose.CloudErrorKind`."""
        from facecurator.cloud.diagnose import CloudErrorKind as K

        words = {
            K.WRONG_KEY: self.tr("wrong AccessKey ID"),
            K.SIGNATURE_MISMATCH: self.tr("wrong secret"),
            K.NO_PERMISSION: self.tr("no permission"),
            K.WRONG_ENDPOINT: self.tr("wrong region or endpoint"),
            K.NETWORK: self.tr("network unreachable"),
            K.CLOCK_SKEW: self.tr("clock out of sync"),
            K.THROTTLED: self.tr("throttled"),
            K.SERVER_ERROR: self.tr("server error"),
            K.UNKNOWN: self.tr("failed"),
        }
        return words.get(kind, self.tr("failed"))

    def test(self) -> bool:
        """Check OSS, IMM and Moderation with the form's settings, each on a worker thread."""
        from facecurator.cloud.credentials import resolve_credentials
        from facecurator.cloud.diagnose import check_service

        self._clear_test()
        try:
            profile = self.form_profile()
            creds = self._typed_credentials() or resolve_credentials(profile.name)
        except FacecuratorError as exc:
            self._say(self.tr("Cannot test: {error}").format(error=core_message(exc)), error=True)
            return False
        origin = {"env": self.tr("environment"), "keyring": self.tr("keyring")}.get(
            creds.source, self.tr("typed, not saved")
        )
        self._say(
            self.tr("Testing AccessKey {key_id} ({origin}) with profile {name}…").format(
                key_id=creds.masked_id, origin=origin, name=profile.name
            )
        )
        self.test_button.setEnabled(False)
        generation = self._test_generation
        for service in SERVICES:
            self.test_labels[service].setStyleSheet("")
            self.test_labels[service].setText(
                self.tr("{service}: testing {endpoint}…").format(
                    service=SERVICE_NAMES[service], endpoint=profile.endpoint_for(service)
                )
            )
            run_in_background(
                partial(check_service, profile, creds, service, timeout=CHECK_TIMEOUT),
                partial(self._on_check, generation, service),
                partial(self._on_check_crashed, generation, service),
                receiver=self,
            )
        return True

    def _on_check(self, generation: int, service: str, result: Any) -> None:
        if generation != self._test_generation:
            return
        label = self.test_labels[service]
        if result.ok:
            text = self.tr("{service}: ok — {detail} ({ms} ms)").format(
                service=SERVICE_NAMES[service],
                detail=core_message(result.message),
                ms=round(result.elapsed * 1000),
            )
            colour = OK_COLOUR
        else:
            text = self.tr("{service}: {kind} — {detail}").format(
                service=SERVICE_NAMES[service],
                kind=self.kind_text(result.kind),
                detail=core_message(result.message),
            )
            colour = ERROR_COLOUR
        label.setText(text)
        label.setToolTip(result.endpoint)
        label.setStyleSheet(f"color: {colour};")
        self._test_results[service] = result
        self._maybe_finish_test()

    def _on_check_crashed(self, generation: int, service: str, exc: BaseException) -> None:
        if generation != self._test_generation:
            return
        log.error("credential check of %s crashed", service, exc_info=exc)
        self.test_labels[service].setText(
            self.tr("{service}: internal error: {error}").format(
                service=SERVICE_NAMES[service], error=core_message(exc)
            )
        )
        self.test_labels[service].setStyleSheet(f"color: {ERROR_COLOUR};")
        self._test_results[service] = None
        self._maybe_finish_test()

    def _maybe_finish_test(self) -> None:
        if len(self._test_results) < len(SERVICES):
            return
        self.test_button.setEnabled(True)
        results = [self._test_results[s] for s in SERVICES]
        failed = [r for r in results if r is None or not r.ok]
        if failed:
            self._say(
                self.tr("{n} of {total} services failed the test").format(n=len(failed), total=len(results)),
                error=True,
            )
        else:
            self._say(self.tr("Every service accepted the credentials"))
        self.testFinished.emit(results)

    def test_results(self) -> dict[str, Any]:
        return dict(self._test_results)


def open_cloud_profiles(window: Any) -> None:
    """Main-window hook (Tools → Cloud profiles…)."""
    CloudProfilesDialog.open_for(window, profile=getattr(window, "source_profile", None))
