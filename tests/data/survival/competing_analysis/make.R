# Golden numbers for sigsurv.analysis.competing: one score (NPI) on METABRIC's
# competing-risk overall survival (1 = died of disease, 2 = died of other causes), per SD
# and high (> median) vs low, from coxph (cause-specific), cmprsk::crr and cmprsk::cuminc.
# Input: ../competing/metabric_competing.csv (written by ../competing/make_goldens.R).
# Run from the repository root: Rscript tests/data/survival/competing_analysis/make.R
# (R 4.2.2, cmprsk 2.2-11, survival 3.5-3, jsonlite: Debian 12 packages.)
suppressMessages({library(cmprsk); library(survival); library(jsonlite)})
here <- "tests/data/survival/competing_analysis"
d <- read.csv("tests/data/survival/competing/metabric_competing.csv", stringsAsFactors = FALSE,
              na.strings = "")
d <- d[!is.na(d$npi) & !is.na(d$er), ]
z <- as.numeric(scale(d$npi))            # sd with n - 1, as sigsurv's standardize
high <- as.numeric(d$npi > median(d$npi)) # high = score > cut, as surv_categorize
group <- ifelse(high == 1, "high", "low")
horizons <- c(60, 120, 240)

term <- function(fit) {
  s <- summary(fit)$coefficients
  list(coef = unname(s[1, "coef"]), se = unname(s[1, "se(coef)"]), p = unname(s[1, "Pr(>|z|)"]))
}
fg <- function(cov, k) {
  fit <- crr(d$time, d$event, cov1 = cbind(x = cov), failcode = k, cencode = 0)
  list(coef = unname(fit$coef), se = unname(sqrt(diag(fit$var))))
}
one_cause <- function(k, stratified) {
  if (stratified) {
    cs_sd <- coxph(Surv(d$time, d$event == k) ~ z + strata(d$er))
    cs_gr <- coxph(Surv(d$time, d$event == k) ~ high + strata(d$er))
    ci <- cuminc(d$time, d$event, group, strata = d$er)
  } else {
    cs_sd <- coxph(Surv(d$time, d$event == k) ~ z)
    cs_gr <- coxph(Surv(d$time, d$event == k) ~ high)
    ci <- cuminc(d$time, d$event, group)
  }
  tp <- timepoints(ci, horizons)
  rows <- paste(c("high", "low"), k)
  list(cause_specific_per_sd = term(cs_sd), cause_specific_grouped = term(cs_gr),
       fine_gray_per_sd = fg(z, k), fine_gray_grouped = fg(high, k),
       incidence = list(high = unname(tp$est[rows[1], ]), low = unname(tp$est[rows[2], ])),
       variance = list(high = unname(tp$var[rows[1], ]), low = unname(tp$var[rows[2], ])),
       gray = list(stat = unname(ci$Tests[as.character(k), "stat"]),
                   p = unname(ci$Tests[as.character(k), "pv"])))
}
out <- list(versions = list(R = as.character(getRversion()),
                            cmprsk = as.character(packageVersion("cmprsk")),
                            survival = as.character(packageVersion("survival"))),
            n = nrow(d), median = median(d$npi), horizons = horizons,
            cause1 = one_cause(1, FALSE), cause2 = one_cause(2, FALSE),
            cause1_strata_er = one_cause(1, TRUE))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path(here, "goldens.json"))
