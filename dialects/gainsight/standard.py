"""The standard objects every tenant has: Company and gsuser (spec §1.6, §4)."""

from __future__ import annotations

from .options import FieldDecl, ObjectDecl

COMPANY = ObjectDecl(
    label="Company",
    fields={
        "Name": FieldDecl(dataType="STRING", length=255, nillable=False),  # required [I]
        "Industry": "STRING",
        "ARR": "CURRENCY",
        "MRR": "CURRENCY",
        "Employees": "NUMBER",
        "LifecycleInWeeks": "NUMBER",
        "CustomerLifetimeInMonths": "NUMBER",
        "Users": "NUMBER",
        "OriginalContractDate": "DATE",
        "RenewalDate": "DATE",
        "Status": FieldDecl(
            dataType="PICKLIST", items=["Active", "Inactive", "Churn"], category="Company Status"
        ),
        "Stage": FieldDecl(
            dataType="PICKLIST",
            items=[
                "New Customer",
                "Kicked Off",
                "Launched",
                "Adopting",
                "Will Churn",
                "Churn",
                "Renewal",
            ],
            category="Company Stage",
        ),
        "CompanyType": FieldDecl(
            dataType="PICKLIST",
            items=["Customer", "Prospect", "Partner", "Other"],
            category="Company Type",
        ),
        "Csm": FieldDecl(dataType="LOOKUP", lookupObject="gsuser"),
        "ParentCompany": FieldDecl(dataType="LOOKUP", lookupObject="Company"),
        "Tags": FieldDecl(
            dataType="MULTISELECTDROPDOWNLIST",
            items=["Strategic", "Enterprise", "SMB", "Reference"],
            category="Company Tags",
        ),
        "BillingAddress": "STRING",
        "SfdcAccountId": "SFDCID",
        "CurrentScore": "NUMBER",
        "PreviousScore": "NUMBER",
        "Trend": "NUMBER",
        "ScorecardId": "GSID",
    },
)

GSUSER = ObjectDecl(
    label="User",
    fields={
        "Name": "STRING",
        "FirstName": "STRING",
        "LastName": "STRING",
        "Email": "EMAIL",
        "Title": "STRING",
        "IsActiveUser": "BOOLEAN",
        "SfdcUserId": "SFDCID",
        "Manager": FieldDecl(dataType="LOOKUP", lookupObject="gsuser"),
    },
)

# deleted ids, kept 15 days, readable through the Read API only (spec §1.5, §7)
DELETE_LOG = ObjectDecl(
    label="Record Delete Log",
    fields={"RecordId": "GSID", "DeletedOn": "DATETIME", "ObjectName": "STRING"},
)
DELETE_LOG_NAME = "record_delete_log"
DELETE_LOG_DAYS = 15

STANDARD: dict[str, ObjectDecl] = {
    "company": COMPANY,
    "gsuser": GSUSER,
    DELETE_LOG_NAME: DELETE_LOG,
}
CANONICAL = {"company": "Company", "gsuser": "gsuser", DELETE_LOG_NAME: DELETE_LOG_NAME}
READ_ONLY = frozenset({DELETE_LOG_NAME})
