"""Messages of the evaluation (zh-CN, English), registered once at import."""
from server.common.i18n import register_messages

register_messages({
    "evaluation_sheet_indicators": ("指标须从可计算的指标中选择，且每项只出现一次", "Known indicators, each once"),
    "evaluation_sheet_weights": ("各项指标权重之和须为 100", "The weights must add up to 100"),
    "evaluation_sheet_target": ("目标值须大于 0", "A target must be above 0"),
    "evaluation_sheet_kinds": ("只能选择有应到名单的活动类型", "Only kinds with an expected roster"),
    "evaluation_sheet_stars": ("星级分数线须为 5 个、从低到高、在 0–100 之间",
                               "Five star thresholds, rising, between 0 and 100"),
    "evaluation_published": ("该年度评定已发布并锁定，不能再修改", "This year's rating is published and locked"),
    "evaluation_not_branch": ("只能对党支部评定", "Only branches are rated"),
    "evaluation_future_year": ("该年度还没有开始", "That year has not begun"),
})
