# Golden numbers for sigsurv.survival.rmst: restricted mean survival time per group from
# R survival (summary(survfit(...), rmean = tau)$table: rmean, se(rmean)) and the two-group
# contrasts of survRM2::rmst2 1.0-4 ("unadjusted.result": RMST difference, RMST ratio, RMTL
# ratio). survRM2 is not packaged in Debian 12: the contrasts are computed below with
# survRM2's formulas, and, when SURVRM2_R_DIR points to survRM2's R/ folder (e.g. a checkout
# of github.com/cran/survRM2), rmst2() itself is sourced and its output is stored too.
# Inputs: ../competing/metabric_competing.csv (overall survival: event > 0) and
# survival::lung (event = status - 1), written here as lung.csv.
# Run from the repository root:  Rscript tests/data/survival/rmst/make.R
suppressMessages({library(survival); library(jsonlite)})
here <- "tests/data/survival/rmst"
lung <- survival::lung[, c("time", "status", "sex")]
lung$event <- lung$status - 1L
lung$sex <- ifelse(lung$sex == 1, "male", "female")
write.csv(lung[, c("time", "event", "sex")], file.path(here, "lung.csv"), row.names = FALSE)
lung <- read.csv(file.path(here, "lung.csv"), stringsAsFactors = FALSE)
mb <- read.csv("tests/data/survival/competing/metabric_competing.csv",
               stringsAsFactors = FALSE, na.strings = "")
mb <- mb[!is.na(mb$chemo), ]
mb$event <- as.integer(mb$event > 0)

survrm2 <- Sys.getenv("SURVRM2_R_DIR", "")
if (nzchar(survrm2)) {
  source(file.path(survrm2, "rmst1.R")); source(file.path(survrm2, "rmst2.R"))
}
contrast <- function(r1, v1, r0, v0, tau) {
  z <- qnorm(0.975)
  wald <- function(est, se, log) {
    centre <- if (log) log(est) else est
    ci <- centre + c(-1, 1) * z * se
    list(estimate = est, se = se, lower = if (log) exp(ci[1]) else ci[1],
         upper = if (log) exp(ci[2]) else ci[2], p = 2 * pnorm(-abs(centre) / se))
  }
  list(difference = wald(r1 - r0, sqrt(v1 + v0), FALSE),
       ratio = wald(r1 / r0, sqrt(v1 / r1^2 + v0 / r0^2), TRUE),
       rmtl_ratio = wald((tau - r1) / (tau - r0), sqrt(v1 / (tau - r1)^2 + v0 / (tau - r0)^2), TRUE))
}
rmst_case <- function(d, group, tau, arm1, arm0) {
  fit <- survfit(Surv(time, event) ~ g, data.frame(time = d$time, event = d$event, g = d[[group]]))
  tab <- summary(fit, rmean = tau)$table
  lev <- sub("^g=", "", rownames(tab))
  out <- list(group = group, tau = tau, levels = lev, n = unname(tab[, "records"]),
              events = unname(tab[, "events"]), rmean = unname(tab[, "rmean"]),
              se = unname(tab[, "se(rmean)"]), arm1 = arm1, arm0 = arm0)
  i1 <- match(arm1, lev); i0 <- match(arm0, lev)
  out$contrast <- contrast(out$rmean[i1], out$se[i1]^2, out$rmean[i0], out$se[i0]^2, tau)
  if (nzchar(survrm2)) {
    keep <- d[[group]] %in% c(arm1, arm0)
    r <- rmst2(d$time[keep], d$event[keep], as.integer(d[[group]][keep] == arm1), tau = tau)
    out$survrm2 <- list(rmst_arm1 = unname(r$RMST.arm1$rmst), rmst_arm0 = unname(r$RMST.arm0$rmst),
                        unadjusted = unname(r$unadjusted.result))
  }
  out
}
ov <- summary(survfit(Surv(time, event) ~ 1, lung), rmean = 500)$table
cases <- list(
  metabric_chemo_60 = rmst_case(mb, "chemo", 60, "YES", "NO"),
  metabric_chemo_120 = rmst_case(mb, "chemo", 120, "YES", "NO"),
  metabric_chemo_240 = rmst_case(mb, "chemo", 240, "YES", "NO"),
  lung_sex_365 = rmst_case(lung, "sex", 365, "female", "male"),
  lung_sex_at_event_time = rmst_case(lung, "sex", 707, "female", "male"))
write_json(list(
  versions = list(R = R.version.string, survival = as.character(packageVersion("survival")),
                  survRM2 = if (nzchar(survrm2)) "1.0-4 R code sourced from SURVRM2_R_DIR" else NULL),
  cases = cases,
  lung_overall_500 = list(rmean = unname(ov["rmean"]), se = unname(ov["se(rmean)"]))),
  file.path(here, "goldens.json"), digits = NA, auto_unbox = TRUE, pretty = FALSE)
