"""Import every model so metadata (migrations, tests) sees the whole schema."""
from server.attendance.models import Attendance  # noqa: F401
from server.auth.models import (  # noqa: F401
    AccountCode,
    Community,
    Organization,
    PartyGroup,
    PasswordHelp,
    PastMembership,
    RoleGrant,
    User,
)
from server.common.audit import AuditLog  # noqa: F401
from server.community.models import (  # noqa: F401
    CommunityRegistration,
    CommunitySettings,
    Duty,
    DutyClaim,
    DutySlot,
    MemberEvaluation,
    OrgCommunityPairing,
)
from server.evaluation.models import BranchRating, RatingAdjustment, RatingYear, ScoreSheet  # noqa: F401
from server.events.models import Event  # noqa: F401
from server.hours.models import (  # noqa: F401
    AbsenceDeduction,
    EventServiceInfo,
    HoursDispute,
    HoursReview,
    HoursSetting,
)
from server.orglife.models import (  # noqa: F401
    FeedToken,
    LeaveRequest,
    MakeUp,
    MeetingRecord,
    RecordAttachment,
    Requirement,
)
from server.points.models import PointsEntry, PointsRule  # noqa: F401
from server.scans.models import Scan  # noqa: F401
