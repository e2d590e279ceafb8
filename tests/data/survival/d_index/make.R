# Golden numbers for sigsurv.survival.d_index: Royston & Sauerbrei's (2004) D statistic,
# computed transparently with R survival 3.5-3:
#   r = rank(PI, ties = "average");  z = qnorm((r - 3/8) / (n + 1/4))   (Blom scores)
#   fit = coxph(Surv(time, status) ~ I(z / kappa)),  kappa = sqrt(8 / pi)
#   D = coef(fit), se(D) = its SE   (equivalently kappa * the coefficient of z)
#   R2_D = (D^2 / kappa^2) / (pi^2 / 6 + D^2 / kappa^2)
# Prognostic indices (PI): linear predictors of Cox models fitted in R, stored in the JSON;
# "rounded" cases round the PI to 1 decimal to create many ties.
# Data: ../competing/metabric_competing.csv (overall survival, event > 0) and survival::lung.
# Run from the repository root:  Rscript tests/data/survival/d_index/make.R
suppressMessages({library(survival); library(jsonlite)})
mb <- read.csv("tests/data/survival/competing/metabric_competing.csv",
               stringsAsFactors = FALSE, na.strings = "")
mb <- mb[complete.cases(mb[, c("age", "npi", "chemo", "er")]), ]
mb$status <- as.integer(mb$event > 0)
lung <- survival::lung
lung <- lung[complete.cases(lung[, c("age", "sex", "ph.ecog")]), ]
lung$status <- lung$status - 1L
kappa <- sqrt(8 / pi)

d_case <- function(time, status, pi_, ties) {
  n <- length(pi_)
  z <- qnorm((rank(pi_, ties.method = "average") - 3 / 8) / (n + 1 / 4))
  fit <- coxph(Surv(time, status) ~ I(z / kappa), ties = ties)
  d <- unname(coef(fit)); se <- unname(sqrt(diag(fit$var)))
  list(time = time, status = status, pi = pi_, ties = ties, d = d, se = se,
       lower = d - qnorm(0.975) * se, upper = d + qnorm(0.975) * se,
       p = 2 * pnorm(-abs(d / se)),
       r2_d = (d^2 / kappa^2) / (pi^2 / 6 + d^2 / kappa^2))
}
lp_mb <- coxph(Surv(time, status) ~ age + npi + chemo + er, mb)$linear.predictors
lp_lung <- coxph(Surv(time, status) ~ age + sex + ph.ecog, lung)$linear.predictors
out <- list(
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival"))),
  metabric_efron = d_case(mb$time, mb$status, lp_mb, "efron"),
  metabric_rounded_breslow = d_case(mb$time, mb$status, round(lp_mb, 1), "breslow"),
  lung_efron = d_case(lung$time, lung$status, lp_lung, "efron"),
  lung_ecog_efron = d_case(lung$time, lung$status, lung$ph.ecog, "efron"))
write_json(out, "tests/data/survival/d_index/goldens.json", digits = NA,
           auto_unbox = TRUE, pretty = FALSE)
