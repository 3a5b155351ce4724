"""Grants.gov codes in words (DOMAIN.md §5), so no reason ever shows "category AG" or "code 12"."""

from __future__ import annotations

# CategoryOfFundingActivity
FUNDING_CATEGORIES: dict[str, str] = {
    "ACA": "Affordable Care Act",
    "AG": "Agriculture",
    "AR": "Arts",
    "BC": "Business and Commerce",
    "CD": "Community Development",
    "CP": "Consumer Protection",
    "DPR": "Disaster Prevention and Relief",
    "ED": "Education",
    "ELT": "Employment, Labor and Training",
    "EN": "Energy",
    "ENV": "Environment",
    "FN": "Food and Nutrition",
    "HL": "Health",
    "HO": "Housing",
    "HU": "Humanities",
    "IIJ": "Infrastructure Investment and Jobs Act",
    "IS": "Information and Statistics",
    "ISS": "Income Security and Social Services",
    "LJL": "Law, Justice and Legal Services",
    "NR": "Natural Resources",
    "OZ": "Opportunity Zone Benefits",
    "RA": "Recovery Act",
    "RD": "Regional Development",
    "ST": "Science and Technology",
    "T": "Transportation",
    "O": "Other",
}

# EligibleApplicants
ELIGIBLE_APPLICANTS: dict[str, str] = {
    "00": "state governments",
    "01": "county governments",
    "02": "city or township governments",
    "04": "special district governments",
    "05": "independent school districts",
    "06": "public and state institutions of higher education",
    "07": "federally recognized Native American tribal governments",
    "08": "public and Indian housing authorities",
    "11": "other Native American tribal organizations",
    "12": "nonprofits with 501(c)(3) status (other than higher education)",
    "13": "nonprofits without 501(c)(3) status (other than higher education)",
    "20": "private institutions of higher education",
    "21": "individuals",
    "22": "for-profit organizations other than small businesses",
    "23": "small businesses",
    "25": "others (see the eligibility text)",
    "99": "anyone (unrestricted)",
}

# CFDA (Assistance Listing) numbers start with the agency's prefix; when an opportunity states no
# useful category, the agency says roughly which NTEE major groups it funds.
CFDA_AGENCY_GROUPS: dict[str, tuple[str, str]] = {
    "10": ("Department of Agriculture", "KC"),
    "14": ("Department of Housing and Urban Development", "LS"),
    "15": ("Department of the Interior", "C"),
    "16": ("Department of Justice", "I"),
    "17": ("Department of Labor", "J"),
    "45": ("National Endowments for the Arts and Humanities, IMLS", "A"),
    "47": ("National Science Foundation", "U"),
    "66": ("Environmental Protection Agency", "C"),
    "84": ("Department of Education", "B"),
    "93": ("Department of Health and Human Services", "EP"),
    "94": ("AmeriCorps", "S"),
    "97": ("Department of Homeland Security", "M"),
}


def category_name(code: str) -> str:
    code = code.strip().upper()
    return FUNDING_CATEGORIES.get(code, "an unlisted funding category")


def applicant_name(code: str) -> str:
    return ELIGIBLE_APPLICANTS.get(code.strip().zfill(2), "an unlisted applicant type")
