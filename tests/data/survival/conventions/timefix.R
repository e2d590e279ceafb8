# Golden numbers for sigsurv's `timefix` (R survival's aeqSurv): follow-up in months
# computed two ways that differ in the last bits, so times that are equal in days are
# no longer equal as doubles. R's coxph / survfit / survdiff merge them by default
# (timefix = TRUE); timefix = FALSE keeps exact ties only.
# Input: rotterdam.csv (export_datasets.R). Run from this folder:  Rscript timefix.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-jsonlite 1.8.4.
suppressMessages({library(survival); library(jsonlite)})
d <- read.csv("rotterdam.csv")
d$size <- factor(d$size, levels = c("<=20", "20-50", ">50"))
# Odd pid: days / 30.4375; even pid: (days / 365.25) * 12 (same in Python, IEEE-exact).
d$months <- ifelse(d$pid %% 2 == 1, d$dtime / 30.4375, (d$dtime / 365.25) * 12)
out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival"))),
            n_distinct_raw = length(unique(d$months)),
            n_distinct_fixed = length(unique(aeqSurv(Surv(d$months, d$death))[, 1])))
for (tf in c(TRUE, FALSE)) {
  key <- if (tf) "timefix" else "exact"
  f <- coxph(Surv(months, death) ~ age + meno + size + grade + nodes + pgr + er + hormon +
               chemo, data = d, timefix = tf)
  z <- cox.zph(f)
  uni <- lapply(c("age", "nodes", "pgr", "er"), function(v) {
    g <- coxph(as.formula(paste("Surv(months, death) ~", v)), data = d, timefix = tf)
    list(gene = v, coef = unname(coef(g)), se = unname(sqrt(diag(g$var))),
         loglik = g$loglik, score = unname(g$score), iter = g$iter)
  })
  km <- survfit(Surv(months, death) ~ hormon, data = d, timefix = tf)
  # survdiff(..., timefix = FALSE) fails in survival 3.5-3 (model.frame receives the
  # timefix argument), so call its engine on the (fixed or raw) Surv object as survdiff does.
  y <- Surv(d$months, d$death)
  if (tf) y <- aeqSurv(y)
  sd <- survival:::survdiff.fit(y, d$size, rho = 0)
  ok <- sd$expected > 0  # survdiff's chi-square from the engine's output
  oe <- ((sd$observed - sd$expected)[ok])[-1]
  sd$chisq <- sum(solve((sd$var[ok, ok])[-1, -1], oe) * oe)
  sd$obs <- sd$observed; sd$exp <- sd$expected
  rf <- survfit(Surv(months, 1 - death) ~ 1, data = d, timefix = tf)
  # concordance(..., timefix = FALSE) does not pass timefix on to concordancefit in
  # survival 3.5-3 (the times are merged anyway), so call concordancefit directly.
  harrell <- survival:::concordancefit(Surv(d$months, d$death), d$nodes, reverse = TRUE,
                                       timefix = tf)
  uno <- survival:::concordancefit(Surv(d$months, d$death), d$nodes, reverse = TRUE,
                                   timefix = tf, timewt = "n/G2", ymax = 60)
  out[[key]] <- list(
    follow_up = unname(summary(rf)$table["median"]),
    harrell = unname(harrell$concordance), harrell_count = unname(harrell$count),
    uno = unname(uno$concordance),
    cox = list(terms = names(coef(f)), coef = unname(coef(f)), se = unname(sqrt(diag(f$var))),
               loglik = f$loglik, iter = f$iter, concordance = unname(f$concordance["concordance"]),
               zph_chisq = unname(z$table[, "chisq"])),
    univariate = uni,
    km = list(strata = rep(names(km$strata), km$strata), time = km$time, n_risk = km$n.risk,
              n_event = km$n.event, surv = km$surv, std_err = km$std.err),
    logrank = list(chisq = sd$chisq, obs = sd$obs, exp = sd$exp))
}
write_json(out, "timefix.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
