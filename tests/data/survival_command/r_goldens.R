# Goldens of `sigsurv survival --times` and `sigsurv survival --by` (R survival).
# Inputs from export_survival_command_inputs.py; run from the repository root:
#   Rscript tests/data/survival_command/r_goldens.R
library(survival)
here <- "tests/data/survival_command"

# Survival at fixed times per group, log CI (survfit's default conf.type "log").
msk1 <- read.csv(file.path(here, "gse1992_msk1.csv"), stringsAsFactors = FALSE)
fit <- survfit(Surv(time, event) ~ group, data = msk1)
s <- summary(fit, times = c(12, 24, 60))
at_times <- data.frame(
  group = sub("group=", "", as.character(s$strata)),
  time = s$time, n_risk = s$n.risk, surv = s$surv, lower = s$lower, upper = s$upper
)
write.csv(at_times, file.path(here, "r_at_times.csv"), row.names = FALSE)

# Log-rank test across ER status (survdiff), plain.
er <- read.csv(file.path(here, "gse1992_er.csv"), stringsAsFactors = FALSE)
d <- survdiff(Surv(time, event) ~ er, data = er)
logrank <- data.frame(
  chisq = d$chisq, df = length(d$n) - 1,
  p = pchisq(d$chisq, length(d$n) - 1, lower.tail = FALSE),
  n_negative = d$n[1], n_positive = d$n[2], observed_negative = d$obs[1],
  observed_positive = d$obs[2]
)
write.csv(logrank, file.path(here, "r_logrank_er.csv"), row.names = FALSE)
fit_er <- coxph(Surv(time, event) ~ er, data = er)
cox <- data.frame(hr = exp(coef(fit_er)), p = summary(fit_er)$coefficients[, "Pr(>|z|)"])
write.csv(cox, file.path(here, "r_cox_er.csv"), row.names = FALSE)
cat("R", as.character(getRversion()), "survival", as.character(packageVersion("survival")), "\n",
    file = file.path(here, "r_versions.txt"))
