"""The forms of the cloud profiles dialog: settings, credentials and the test panel.

The base of :class:`~facecurator.gui.cloud_dialog.CloudProfilesDialog` (its widgets
are attributes of the dialog); texts are translated in the dialog's context, the
one ``self.tr`` looks up at run time.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SERVICES: Final = ("oss", "imm", "green")
# Rate-limiter keys a profile may cap (requests per second).
QPS_KEYS: Final = ("oss", "oss-faces", "imm", "green", "green-pro")
# Price keys (USD per 1 000 calls).
PRICE_KEYS: Final = ("faceDetect_global", "faceDetect_pro_global", "imm", "oss-faces")


class ProfileForms(QDialog):
    """Builds the dialog's three forms (the base of CloudProfilesDialog)."""

    name_edit: QLineEdit
    region_edit: QLineEdit
    endpoint_edits: dict[str, QLineEdit]
    imm_project_edit: QLineEdit
    bucket_edit: QLineEdit
    qps_edits: dict[str, QLineEdit]
    price_edits: dict[str, QLineEdit]
    save_button: QPushButton
    keyring_label: QLabel
    env_label: QLabel
    credential_status: QLabel
    key_id_edit: QLineEdit
    secret_edit: QLineEdit
    token_edit: QLineEdit
    save_credentials_button: QPushButton
    delete_credentials_button: QPushButton
    test_button: QPushButton
    test_labels: dict[str, QLabel]

    def _build_settings(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(
            QCoreApplication.translate(
                "CloudProfilesDialog", "Settings (saved in profiles.toml, never a secret)"
            ),
            parent,
        )
        form = QFormLayout(box)
        self.name_edit = QLineEdit(box)
        self.name_edit.setObjectName("profileName")
        self.name_edit.setPlaceholderText(
            QCoreApplication.translate("CloudProfilesDialog", "letters, digits, '_', '.', '-'")
        )
        self.region_edit = QLineEdit(box)
        self.region_edit.setObjectName("profileRegion")
        self.region_edit.setPlaceholderText("cn-hangzhou")
        self.endpoint_edits: dict[str, QLineEdit] = {}
        labels = {
            "oss": QCoreApplication.translate("CloudProfilesDialog", "OSS endpoint"),
            "imm": QCoreApplication.translate("CloudProfilesDialog", "IMM endpoint"),
            "green": QCoreApplication.translate("CloudProfilesDialog", "Moderation endpoint"),
        }
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "Name"), self.name_edit)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "Region"), self.region_edit)
        for service in SERVICES:
            edit = QLineEdit(box)
            edit.setObjectName(f"{service}Endpoint")
            edit.setToolTip(
                QCoreApplication.translate(
                    "CloudProfilesDialog",
                    "https://host[:port] or http://host[:port]; empty: the region's public endpoint",
                )
            )
            self.endpoint_edits[service] = edit
            form.addRow(labels[service], edit)
        self.imm_project_edit = QLineEdit(box)
        self.imm_project_edit.setObjectName("immProject")
        self.imm_project_edit.setPlaceholderText(
            QCoreApplication.translate("CloudProfilesDialog", "needed by the imm detector")
        )
        self.bucket_edit = QLineEdit(box)
        self.bucket_edit.setObjectName("defaultBucket")
        self.bucket_edit.setPlaceholderText(
            QCoreApplication.translate("CloudProfilesDialog", "opened first in the OSS source browser")
        )
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "IMM project"), self.imm_project_edit)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "Default bucket"), self.bucket_edit)

        from facecurator.cloud.cost import DEFAULT_PRICES_PER_1000
        from facecurator.cloud.ratelimit import DEFAULT_QPS

        qps_hints = {
            key: QCoreApplication.translate("CloudProfilesDialog", "default {n}").format(
                n=f"{DEFAULT_QPS.get(key, 10.0):g}"
            )
            for key in QPS_KEYS
        }
        qps_widget, self.qps_edits = self._number_grid(box, QPS_KEYS, qps_hints)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "Requests per second"), qps_widget)
        price_hints = {
            key: (
                QCoreApplication.translate("CloudProfilesDialog", "default {n}").format(
                    n=f"{DEFAULT_PRICES_PER_1000[key]:g}"
                )
                if key in DEFAULT_PRICES_PER_1000
                else QCoreApplication.translate("CloudProfilesDialog", "undocumented: set it")
            )
            for key in PRICE_KEYS
        }
        price_widget, self.price_edits = self._number_grid(box, PRICE_KEYS, price_hints)
        form.addRow(
            QCoreApplication.translate("CloudProfilesDialog", "Prices (USD per 1000 calls)"), price_widget
        )
        self.save_button = QPushButton(QCoreApplication.translate("CloudProfilesDialog", "Save profile"), box)
        self.save_button.setObjectName("saveProfile")
        form.addRow("", self.save_button)
        return box

    def _number_grid(
        self, parent: QWidget, keys: tuple[str, ...], hints: dict[str, str]
    ) -> tuple[QWidget, dict[str, QLineEdit]]:
        """Two columns of ``key [number]``; empty means the documented default."""
        from PySide6.QtGui import QDoubleValidator

        widget = QWidget(parent)
        grid = QGridLayout(widget)
        grid.setContentsMargins(0, 0, 0, 0)
        edits: dict[str, QLineEdit] = {}
        for i, key in enumerate(keys):
            edit = QLineEdit(widget)
            edit.setObjectName(f"number_{key}")
            edit.setPlaceholderText(hints[key])
            validator = QDoubleValidator(0.0, 1e9, 6, edit)
            validator.setNotation(QDoubleValidator.Notation.StandardNotation)
            edit.setValidator(validator)
            grid.addWidget(QLabel(key, widget), i, 0)
            grid.addWidget(edit, i, 1)
            edits[key] = edit
        return widget, edits

    def _build_credentials(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(
            QCoreApplication.translate("CloudProfilesDialog", "Credentials (kept in the OS keyring only)"),
            parent,
        )
        form = QFormLayout(box)
        self.keyring_label = QLabel(box)
        self.keyring_label.setObjectName("keyringBackend")
        self.keyring_label.setWordWrap(True)
        self.env_label = QLabel(box)
        self.env_label.setObjectName("envOverride")
        self.env_label.setWordWrap(True)
        self.credential_status = QLabel(box)
        self.credential_status.setObjectName("credentialStatus")
        self.credential_status.setWordWrap(True)
        self.key_id_edit = QLineEdit(box)
        self.key_id_edit.setObjectName("accessKeyId")
        self.key_id_edit.setPlaceholderText("LTAI…")
        self.secret_edit = QLineEdit(box)
        self.secret_edit.setObjectName("accessKeySecret")
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText(
            QCoreApplication.translate("CloudProfilesDialog", "typed, never shown; cleared once saved")
        )
        self.token_edit = QLineEdit(box)
        self.token_edit.setObjectName("securityToken")
        self.token_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.token_edit.setPlaceholderText(
            QCoreApplication.translate("CloudProfilesDialog", "optional (temporary STS credentials)")
        )
        for edit in (self.secret_edit, self.token_edit):
            # No copy, drag or input-method history for the secret fields.
            edit.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
            edit.setDragEnabled(False)
            edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "Keyring"), self.keyring_label)
        form.addRow("", self.env_label)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "Stored"), self.credential_status)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "AccessKey ID"), self.key_id_edit)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "AccessKey secret"), self.secret_edit)
        form.addRow(QCoreApplication.translate("CloudProfilesDialog", "STS token"), self.token_edit)
        self.save_credentials_button = QPushButton(
            QCoreApplication.translate("CloudProfilesDialog", "Save in keyring"), box
        )
        self.save_credentials_button.setObjectName("saveCredentials")
        self.delete_credentials_button = QPushButton(
            QCoreApplication.translate("CloudProfilesDialog", "Delete from keyring…"), box
        )
        self.delete_credentials_button.setObjectName("deleteCredentials")
        row = QHBoxLayout()
        row.addWidget(self.save_credentials_button)
        row.addWidget(self.delete_credentials_button)
        row.addStretch(1)
        form.addRow("", row)
        return box

    def _build_test(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(
            QCoreApplication.translate("CloudProfilesDialog", "Test (one free, read-only call per service)"),
            parent,
        )
        layout = QVBoxLayout(box)
        self.test_button = QPushButton(QCoreApplication.translate("CloudProfilesDialog", "Test"), box)
        self.test_button.setObjectName("testCredentials")
        self.test_button.setToolTip(
            QCoreApplication.translate(
                "CloudProfilesDialog",
                "Uses the typed key if a secret is typed, else the stored one, with the settings shown",
            )
        )
        row = QHBoxLayout()
        row.addWidget(self.test_button)
        row.addStretch(1)
        layout.addLayout(row)
        self.test_labels: dict[str, QLabel] = {}
        for service in SERVICES:
            label = QLabel(box)
            label.setObjectName(f"test_{service}")
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.test_labels[service] = label
            layout.addWidget(label)
        return box
