# Golden numbers for sigsurv's Cox engine beyond ../shared/reference:
# cox.zph (transform "km"), stratified models, heavy ties, iteration limit.
# Input: cox_inputs.csv (written by make_goldens.py from the SurvSet gse1992 pickle).
# Run:  Rscript make.R   (R 4.2.2, survival 3.5-3, jsonlite; Debian 12 packages)
suppressMessages({library(survival); library(jsonlite)})
here <- if (length(sys.frames())) dirname(sys.frame(1)$ofile) else "."
args <- commandArgs(trailingOnly = TRUE)
if (length(args)) here <- args[1]
d <- read.csv(file.path(here, "cox_inputs.csv"),
              colClasses = c(er = "character", node = "character", grade = "character"))
d$er_f <- factor(d$er); d$node_f <- factor(d$node); d$grade_f <- factor(d$grade)
cc <- d[d$er != "missing" & d$node != "missing" & d$grade != "missing", ]
cc$er_n <- as.numeric(cc$er); cc$node_n <- as.numeric(cc$node); cc$grade_n <- as.numeric(cc$grade)
d$years <- ceiling(d$time / 12)

summarise <- function(f, extra = list()) {
  w <- NULL
  z <- cox.zph(f, transform = "km")
  s <- summary(f)
  c(list(
    coef = unname(coef(f)), terms = names(coef(f)), se = unname(sqrt(diag(f$var))),
    loglik = f$loglik, score = unname(f$score), wald = unname(f$wald.test),
    iter = f$iter,
    concordance = as.list(f$concordance),
    zph = list(term = rownames(z$table), chisq = unname(z$table[, "chisq"]),
               df = unname(z$table[, "df"]), p = unname(z$table[, "p"]))
  ), extra)
}
fit_w <- function(expr) {
  w <- character(0)
  f <- withCallingHandlers(expr, warning = function(m) {
    w <<- c(w, conditionMessage(m)); invokeRestart("muffleWarning")})
  list(fit = f, warnings = w)
}

out <- list()
for (tt in c("efron", "breslow")) {
  out[[paste0("irf7_", tt)]] <- summarise(coxph(Surv(time, event) ~ IRF7, d, ties = tt))
  out[[paste0("mv_linear_", tt)]] <- summarise(coxph(
    Surv(time, event) ~ IFN_z + age + er_n + node_n + grade_n, cc, ties = tt))
  fw <- fit_w(coxph(Surv(time, event) ~ IFN_z + age + er_f + node_f + grade_f, d, ties = tt))
  out[[paste0("mv_missing_", tt)]] <- summarise(fw$fit, list(warnings = fw$warnings))
  out[[paste0("strata_er_", tt)]] <- summarise(coxph(
    Surv(time, event) ~ IFN_z + age + strata(er), cc, ties = tt))
  out[[paste0("ties_years_", tt)]] <- summarise(coxph(
    Surv(years, event) ~ IRF7 + ESR1, d, ties = tt))
  fw <- fit_w(coxph(Surv(time, event) ~ IRF7 + ESR1, d, ties = tt,
                    control = coxph.control(iter.max = 2)))
  out[[paste0("iter2_", tt)]] <- summarise(fw$fit, list(warnings = fw$warnings))
}
out$versions <- list(R = R.version.string, survival = as.character(packageVersion("survival")))
write_json(out, file.path(here, "goldens.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
