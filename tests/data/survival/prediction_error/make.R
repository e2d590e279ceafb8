# Golden numbers for sigsurv.survival.prediction_error: IPCW Brier scores, integrated Brier
# score, the Kaplan-Meier null model and IPA from riskRegression::Score (cens.model = "km",
# i.e. prodlim's reverse Kaplan-Meier; standard errors with conservative = FALSE (default,
# influence function of the Kaplan-Meier censoring weights included) and TRUE).
# Predictions: survival probabilities of a Cox model fitted in R (coxph + survfit(newdata)),
# stored in the JSON so that Python scores exactly the same numbers.
# Data: ../competing/metabric_competing.csv (overall survival, event > 0; complete cases of
# age, npi, chemo, er) and survival::lung (event = status - 1; complete cases of age, sex,
# ph.ecog; integer days with many ties between events and censorings).
# Run from the repository root:  Rscript tests/data/survival/prediction_error/make.R
# (R 4.2.2, riskRegression 2022.11.28, prodlim, survival 3.5-3: Debian 12 packages.)
suppressMessages({library(survival); library(riskRegression); library(jsonlite)})

mb <- read.csv("tests/data/survival/competing/metabric_competing.csv",
               stringsAsFactors = FALSE, na.strings = "")
mb <- mb[complete.cases(mb[, c("age", "npi", "chemo", "er")]), ]
mb$status <- as.integer(mb$event > 0)
lung <- survival::lung
lung <- lung[complete.cases(lung[, c("age", "sex", "ph.ecog")]), ]
lung$status <- lung$status - 1L

score_case <- function(d, formula, times) {
  fit <- coxph(formula, data = d, model = TRUE, x = TRUE)
  surv <- t(summary(survfit(fit, newdata = d), times = times, extend = TRUE)$surv)
  score <- function(conservative) {
    sc <- Score(list(cox = 1 - surv), formula = Surv(time, status) ~ 1, data = d, times = times,
                metrics = "brier", summary = c("ibs", "ipa"), cens.model = "km", se.fit = TRUE,
                conservative = conservative, null.model = TRUE)
    as.data.frame(sc$Brier$score)
  }
  b <- score(FALSE)
  bc <- score(TRUE)
  cols <- function(m) {
    r <- b[b$model == m, ]
    rc <- bc[bc$model == m, ]
    list(brier = r$Brier, se = r$se, lower = r$lower, upper = r$upper, ibs = r$IBS,
         ipa = r$IPA, se_conservative = rc$se, lower_conservative = rc$lower,
         upper_conservative = rc$upper)
  }
  list(time = d$time, status = d$status, times = times, surv = lapply(seq_along(times),
       function(j) surv[, j]), cox = cols("cox"), null = cols("Null model"))
}
out <- list(
  versions = list(R = R.version.string,
                  riskRegression = as.character(packageVersion("riskRegression")),
                  prodlim = as.character(packageVersion("prodlim")),
                  survival = as.character(packageVersion("survival"))),
  metabric = score_case(mb, Surv(time, status) ~ age + npi + chemo + er,
                        c(12, 24, 60, 120, 180, 240)),
  lung = score_case(lung, Surv(time, status) ~ age + sex + ph.ecog,
                    c(90, 180, 365, 540, 730)))
write_json(out, "tests/data/survival/prediction_error/goldens.json", digits = NA,
           auto_unbox = TRUE, pretty = FALSE)
