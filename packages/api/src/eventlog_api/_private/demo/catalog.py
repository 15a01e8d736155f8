"""The processes of the demo data: their steps, systems, timings, failure modes and SLAs.

The catalogue is plain data so that the generator stays a small interpreter and the
processes read like the business journeys they imitate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from eventlog_schemas import CreateProcessRequest, HttpMethod


@dataclass(frozen=True, slots=True)
class Failure:
    """One way a step can go wrong."""

    code: str
    message: str
    http_status: int | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a journey, done by one target system.

    ``done`` and ``result`` describe the successful outcome; the summary templates may
    use the placeholders of the trace context (``{ref}``, ``{account}``, ``{amount}``...).
    """

    name: str
    system: str
    median_ms: int
    done: str
    result: str
    method: HttpMethod | None = None
    endpoint: str | None = None
    failures: tuple[Failure, ...] = ()
    fail_rate: float = 0.0
    """Chance of a business failure that ends the process instance."""
    transients: tuple[Failure, ...] = ()
    transient_rate: float = 0.0
    """Chance, per attempt, of a transient failure that the caller retries."""
    skip_rate: float = 0.0
    skip_reason: str = "not required"
    warn_rate: float = 0.0
    warning: str = ""
    stall_rate: float = 0.0
    """Chance that the instance waits here (manual review, a reply that never came)."""
    opens_account: bool = False
    """The account exists from this step on; earlier events carry no accountId."""
    payloads: bool = False
    spread: float = 0.5
    """Sigma of the log-normal duration around ``median_ms``."""


@dataclass(frozen=True, slots=True)
class Parallel:
    """Steps that run side by side; the next step waits for all of them (span links)."""

    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class Process:
    """A business process and how its instances behave."""

    name: str
    display_name: str
    description: str
    owning_team: str
    sla_ms: int | None
    application_id: str
    originating_system: str
    orchestrator: str
    ref_prefix: str
    started: str
    stages: tuple[Step | Parallel, ...]
    weight: float
    trace_retry_rate: float = 0.0
    """Chance that a failed instance is started again within the same trace."""
    crash_rate: float = 0.0
    """Share of failures that surface as an unhandled ERROR event without PROCESS_END."""
    account_known: bool = True
    batch: bool = False
    """Instances run in nightly batches that share a batchId."""
    defined: bool = True
    """Whether the process has a registered definition (one legacy process has none)."""
    identifiers: tuple[str, ...] = field(default=())

    @property
    def expected_steps(self) -> int:
        """Steps per instance, counting parallel branches one each."""
        return sum(len(s.steps) if isinstance(s, Parallel) else 1 for s in self.stages)

    def definition(self) -> CreateProcessRequest:
        """The process definition the seed registers."""
        return CreateProcessRequest(
            process_name=self.name,
            display_name=self.display_name,
            description=self.description,
            owning_team=self.owning_team,
            expected_steps=self.expected_steps,
            sla_ms=self.sla_ms,
        )


_TIMEOUT = Failure("UPSTREAM_TIMEOUT", "upstream call timed out after 5000 ms", 504)
_UNAVAILABLE = Failure("SERVICE_UNAVAILABLE", "service unavailable, circuit half-open", 503)
_MINUTE = 60_000
_HOUR = 60 * _MINUTE

ORDER_FULFILMENT: Final = Process(
    name="order_fulfilment",
    display_name="Order fulfilment",
    description="Web shop order from validation through payment to shipment and confirmation.",
    owning_team="Commerce Platform",
    sla_ms=30_000,
    application_id="webshop-backend",
    originating_system="web-storefront",
    orchestrator="order-orchestrator",
    ref_prefix="ORD",
    started="Order {ref} received for {items} items worth {amount} {currency}",
    identifiers=("orderId", "customerId"),
    weight=0.30,
    crash_rate=0.15,
    stages=(
        Step(
            "Validate order",
            "order-service",
            120,
            "Order {ref} validated: {items} items, delivery to {city}",
            "ORDER_VALID",
            HttpMethod.POST,
            "/api/v1/orders/validate",
            failures=(Failure("INVALID_ADDRESS", "delivery address could not be verified", 422),),
            fail_rate=0.01,
            payloads=True,
        ),
        Parallel(
            (
                Step(
                    "Reserve inventory",
                    "inventory-service",
                    250,
                    "Inventory reserved for {items} items of order {ref} in warehouse {warehouse}",
                    "RESERVED",
                    HttpMethod.POST,
                    "/api/v1/reservations",
                    failures=(
                        Failure("OUT_OF_STOCK", "item out of stock in every warehouse", 409),
                    ),
                    fail_rate=0.02,
                    transients=(_TIMEOUT,),
                    transient_rate=0.03,
                ),
                Step(
                    "Authorise payment",
                    "payment-gateway",
                    800,
                    "Payment of {amount} {currency} authorised for order {ref}",
                    "AUTHORISED",
                    HttpMethod.POST,
                    "/v2/payments/authorisations",
                    failures=(
                        Failure("CARD_DECLINED", "card declined by issuer (do not honour)", 402),
                        Failure("INSUFFICIENT_FUNDS", "insufficient funds on card", 402),
                    ),
                    fail_rate=0.04,
                    transients=(_TIMEOUT, _UNAVAILABLE),
                    transient_rate=0.05,
                    payloads=True,
                ),
                Step(
                    "Screen for fraud",
                    "fraud-engine",
                    400,
                    "Fraud screening passed for order {ref} with risk score {risk}",
                    "LOW_RISK",
                    HttpMethod.POST,
                    "/score",
                    failures=(Failure("FRAUD_SUSPECTED", "risk score above the block threshold"),),
                    fail_rate=0.01,
                    warn_rate=0.04,
                    warning="Fraud screening flagged order {ref} for review, risk score {risk}",
                ),
            )
        ),
        Step(
            "Create shipment",
            "shipping-service",
            600,
            "Shipment {shipment} booked with {carrier} for order {ref}",
            "SHIPMENT_CREATED",
            HttpMethod.POST,
            "/api/shipments",
            transients=(_UNAVAILABLE,),
            transient_rate=0.02,
            failures=(Failure("CARRIER_REJECTED", "carrier rejected the parcel dimensions", 400),),
            fail_rate=0.005,
        ),
        Step(
            "Send confirmation",
            "notification-service",
            150,
            "Order confirmation for {ref} e-mailed to customer {customer}",
            "SENT",
            HttpMethod.POST,
            "/notify/email",
            skip_rate=0.08,
            skip_reason="customer opted out of e-mail",
        ),
    ),
)

CUSTOMER_ONBOARDING: Final = Process(
    name="customer_onboarding",
    display_name="Customer onboarding",
    description="New customer application: identity, credit check, account and card.",
    owning_team="Retail Onboarding",
    sla_ms=10 * _MINUTE,
    application_id="onboarding-portal",
    originating_system="mobile-app",
    orchestrator="onboarding-service",
    ref_prefix="APP",
    started="Application {ref} submitted by {customer} through the mobile app",
    identifiers=("applicationId", "customerId"),
    weight=0.10,
    account_known=False,
    stages=(
        Step(
            "Capture application",
            "onboarding-service",
            300,
            "Application {ref} captured with {docs} supporting documents",
            "CAPTURED",
            HttpMethod.POST,
            "/applications",
            payloads=True,
        ),
        Step(
            "Verify identity",
            "kyc-provider",
            3_000,
            "Identity of {customer} verified against passport and selfie",
            "IDENTITY_VERIFIED",
            HttpMethod.POST,
            "/kyc/v3/checks",
            failures=(Failure("KYC_DOCUMENT_EXPIRED", "identity document has expired", 422),),
            fail_rate=0.03,
            transients=(_TIMEOUT,),
            transient_rate=0.08,
            stall_rate=0.03,
            spread=0.8,
        ),
        Step(
            "Check credit",
            "credit-bureau",
            1_500,
            "Credit check for {customer} returned score {score}",
            "CREDIT_APPROVED",
            HttpMethod.GET,
            "/bureau/score",
            failures=(Failure("CREDIT_SCORE_TOO_LOW", "credit score below the product minimum"),),
            fail_rate=0.05,
            warn_rate=0.05,
            warning="Credit file for {customer} is thin; approved with a lower limit",
        ),
        Step(
            "Open account",
            "core-banking",
            900,
            "Account {account} opened for customer {customer}",
            "ACCOUNT_OPENED",
            HttpMethod.POST,
            "/core/accounts",
            transients=(_UNAVAILABLE,),
            transient_rate=0.03,
            opens_account=True,
        ),
        Parallel(
            (
                Step(
                    "Issue debit card",
                    "card-issuer",
                    1_200,
                    "Debit card ending {last4} issued for account {account}",
                    "CARD_ISSUED",
                    HttpMethod.POST,
                    "/cards",
                ),
                Step(
                    "Enrol online banking",
                    "digital-banking",
                    500,
                    "Online banking enrolled for account {account}",
                    "ENROLLED",
                    HttpMethod.POST,
                    "/enrolments",
                ),
            )
        ),
        Step(
            "Send welcome pack",
            "notification-service",
            200,
            "Welcome pack sent to {customer} for account {account}",
            "SENT",
            HttpMethod.POST,
            "/notify/letter",
        ),
    ),
)

CARD_PAYMENT: Final = Process(
    name="card_payment",
    display_name="Card payment",
    description="Card-present payment at a point-of-sale terminal, authorised and posted.",
    owning_team="Payments",
    sla_ms=2_000,
    application_id="payments-api",
    originating_system="pos-terminal",
    orchestrator="payments-api",
    ref_prefix="PAY",
    started="Card payment {ref} of {amount} {currency} started at merchant {merchant}",
    identifiers=("paymentId", "merchantId"),
    weight=0.32,
    trace_retry_rate=0.45,
    crash_rate=0.1,
    stages=(
        Step(
            "Tokenise card",
            "card-vault",
            40,
            "Card tokenised for payment {ref}",
            "TOKENISED",
            HttpMethod.POST,
            "/tokens",
            spread=0.3,
        ),
        Step(
            "Check fraud rules",
            "fraud-engine",
            150,
            "Fraud rules passed for payment {ref} at {merchant}",
            "PASSED",
            HttpMethod.POST,
            "/rules/evaluate",
            failures=(Failure("FRAUD_SUSPECTED", "velocity rule triggered for this card"),),
            fail_rate=0.015,
        ),
        Step(
            "Authorise with card network",
            "card-network",
            350,
            "Payment {ref} of {amount} {currency} approved by the card network",
            "APPROVED",
            HttpMethod.POST,
            "/iso8583/authorise",
            failures=(
                Failure("INSUFFICIENT_FUNDS", "issuer declined: insufficient funds", 402),
                Failure("CARD_EXPIRED", "issuer declined: card expired", 402),
            ),
            fail_rate=0.03,
            transients=(Failure("NETWORK_TIMEOUT", "no answer from the card network", 504),),
            transient_rate=0.04,
            payloads=True,
        ),
        Step(
            "Post to ledger",
            "core-banking",
            80,
            "Payment {ref} posted to the ledger of account {account}",
            "POSTED",
            HttpMethod.POST,
            "/ledger/postings",
            spread=0.3,
        ),
    ),
)

CARD_DISPUTE: Final = Process(
    name="card_dispute",
    display_name="Card dispute",
    description="Customer disputes a card transaction; evidence from the merchant decides it.",
    owning_team="Customer Operations",
    sla_ms=48 * _HOUR,
    application_id="disputes-service",
    originating_system="contact-centre",
    orchestrator="disputes-service",
    ref_prefix="DSP",
    started="Dispute {ref} opened for {amount} {currency} charged by {merchant}",
    identifiers=("disputeId", "transactionId"),
    weight=0.04,
    stages=(
        Step(
            "Register dispute",
            "disputes-service",
            400,
            "Dispute {ref} registered with reason code {reason}",
            "REGISTERED",
            HttpMethod.POST,
            "/disputes",
        ),
        Step(
            "Fetch transaction",
            "core-banking",
            200,
            "Transaction for dispute {ref} found: {amount} {currency} at {merchant}",
            "FOUND",
            HttpMethod.GET,
            "/core/transactions",
        ),
        Step(
            "Grant provisional credit",
            "core-banking",
            300,
            "Provisional credit of {amount} {currency} granted to account {account}",
            "CREDITED",
            HttpMethod.POST,
            "/core/credits",
            skip_rate=0.3,
            skip_reason="amount below the provisional credit threshold",
        ),
        Step(
            "Request merchant evidence",
            "card-network",
            20 * _HOUR,
            "Merchant evidence received from {merchant} for dispute {ref}",
            "EVIDENCE_RECEIVED",
            HttpMethod.POST,
            "/chargebacks/evidence",
            stall_rate=0.08,
            spread=0.7,
        ),
        Step(
            "Decide dispute",
            "disputes-service",
            2 * _HOUR,
            "Dispute {ref} decided in favour of the customer",
            "UPHELD",
            failures=(Failure("DISPUTE_REJECTED", "merchant evidence shows the card was present"),),
            fail_rate=0.2,
            spread=0.9,
        ),
        Step(
            "Notify customer",
            "notification-service",
            150,
            "Customer {customer} told the outcome of dispute {ref}",
            "SENT",
            HttpMethod.POST,
            "/notify/email",
        ),
    ),
)

STATEMENT_RUN: Final = Process(
    name="statement_generation",
    display_name="Statement generation",
    description="Nightly batch that renders, archives and e-mails monthly statements.",
    owning_team="Statements & Documents",
    sla_ms=15 * _MINUTE,
    application_id="statement-batch",
    originating_system="batch-scheduler",
    orchestrator="statement-batch",
    ref_prefix="STM",
    started="Statement {ref} started for account {account}",
    identifiers=("statementId", "accountNumber"),
    weight=0.16,
    batch=True,
    stages=(
        Step(
            "Collect transactions",
            "core-banking",
            700,
            "Collected {items} transactions for statement {ref}",
            "COLLECTED",
            HttpMethod.GET,
            "/core/transactions",
        ),
        Step(
            "Render PDF",
            "document-service",
            1_800,
            "Statement {ref} rendered as a {pages}-page PDF",
            "RENDERED",
            HttpMethod.POST,
            "/render",
            transients=(_UNAVAILABLE,),
            transient_rate=0.02,
        ),
        Step(
            "Archive statement",
            "archive-store",
            250,
            "Statement {ref} archived for seven years",
            "ARCHIVED",
            HttpMethod.PUT,
            "/archive/statements",
        ),
        Step(
            "E-mail statement",
            "notification-service",
            300,
            "Statement {ref} e-mailed to the holder of account {account}",
            "SENT",
            HttpMethod.POST,
            "/notify/email",
            failures=(Failure("MAILBOX_UNAVAILABLE", "recipient mailbox unavailable", 550),),
            fail_rate=0.02,
            skip_rate=0.1,
            skip_reason="customer chose paper statements",
        ),
    ),
)

ADDRESS_CHANGE: Final = Process(
    name="address_change",
    display_name="Address change",
    description="Legacy profile update; registered before process definitions existed.",
    owning_team="Customer Profile",
    sla_ms=None,
    application_id="customer-profile",
    originating_system="web-banking",
    orchestrator="customer-profile",
    ref_prefix="ADR",
    started="Address change {ref} requested for account {account}",
    identifiers=("requestId", "customerId"),
    weight=0.08,
    defined=False,
    stages=(
        Step(
            "Validate address",
            "address-lookup",
            90,
            "New address for {customer} validated in {city}",
            "VALID",
            HttpMethod.GET,
            "/lookup",
            warn_rate=0.06,
            warning="Address for {customer} matched with low confidence in {city}",
        ),
        Step(
            "Update profile",
            "crm",
            200,
            "Profile of {customer} updated with the new address",
            "UPDATED",
            HttpMethod.PATCH,
            "/crm/customers",
        ),
        Step(
            "Synchronise core banking",
            "core-banking",
            350,
            "Core banking address synchronised for account {account}",
            "SYNCHRONISED",
            HttpMethod.PUT,
            "/core/customers/address",
            transients=(_TIMEOUT,),
            transient_rate=0.05,
            failures=(Failure("CORE_LOCKED", "customer record locked by another change"),),
            fail_rate=0.01,
        ),
        Step(
            "Confirm by letter",
            "notification-service",
            150,
            "Address change confirmation posted to {customer}",
            "SENT",
            HttpMethod.POST,
            "/notify/letter",
        ),
    ),
)

PROCESSES: Final[tuple[Process, ...]] = (
    ORDER_FULFILMENT,
    CUSTOMER_ONBOARDING,
    CARD_PAYMENT,
    CARD_DISPUTE,
    STATEMENT_RUN,
    ADDRESS_CHANGE,
)
"""Every demo process, in catalogue order."""


def demo_process_definitions() -> list[CreateProcessRequest]:
    """The process definitions the seed registers (the legacy process has none)."""
    return [process.definition() for process in PROCESSES if process.defined]
