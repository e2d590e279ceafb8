# Recompute part of the vendored R reference numbers and compare (run via spot_check.py).
#
# Usage: Rscript spot_check.R <inputs_dir> <reference_dir> <n_genomewide_genes>
# <inputs_dir>/<cohort>.csv: time, event and the genes of the SurvSet pickle (written by
# spot_check.py, 17 significant digits). Recomputes, with the calls of R_CONVENTIONS.md:
#   (a) <cohort>.cox_univariate.json  every row: coxph raw / zscore x efron / breslow
#   (b) <cohort>.median_split.json    survdiff of the median split
#   (c) cutpoint.json                 maxstat.test Lau92 / Lau94 and the chosen cut
#   extra <cohort>.cox_genomewide.tsv.gz  coxph.fit on the first N genes (Efron, raw)
# Prints the largest relative difference per quantity; exits 1 if one exceeds 1e-6.
suppressPackageStartupMessages({
  library(survival)
  library(maxstat)
  library(jsonlite)
})
args <- commandArgs(trailingOnly = TRUE)
inputs <- args[1]
ref_dir <- args[2]
n_genomewide <- as.integer(args[3])
cat(R.version.string, "| survival", format(packageVersion("survival")),
    "| maxstat", format(packageVersion("maxstat")), "\n")

worst <- list()
compare <- function(what, ours, theirs) {
  d <- abs(ours - theirs) / pmax(abs(theirs), 1e-300)
  worst[[what]] <<- max(c(worst[[what]], d), na.rm = FALSE)
}

cohorts <- c("gse1992", "gse4335")
data <- lapply(setNames(cohorts, cohorts), function(k) read.csv(file.path(inputs, paste0(k, ".csv")), check.names = FALSE))

for (k in cohorts) {
  d <- data[[k]]
  uni <- fromJSON(file.path(ref_dir, paste0(k, ".cox_univariate.json")))$results
  for (i in seq_len(nrow(uni))) {
    x <- d[[uni$gene[i]]]
    if (uni$scaling[i] == "zscore") x <- (x - mean(x)) / sd(x)
    fit <- coxph(Surv(d$time, d$event) ~ x, ties = uni$ties[i])
    s <- summary(fit)
    compare("cox_univariate coef", coef(fit)[[1]], uni$coef[i])
    compare("cox_univariate se", sqrt(vcov(fit))[[1]], uni$se[i])
    compare("cox_univariate wald_p", s$coefficients[1, 5], uni$wald_p[i])
    compare("cox_univariate lrt_stat", s$logtest[["test"]], uni$lrt_stat[i])
    compare("cox_univariate score_stat", s$sctest[["test"]], uni$score_stat[i])
    compare("cox_univariate concordance", fit$concordance[["concordance"]], uni$concordance[i])
  }
  split <- fromJSON(file.path(ref_dir, paste0(k, ".median_split.json")), simplifyVector = FALSE)$results
  for (row in split) {
    x <- d[[row$gene]]
    grp <- factor(ifelse(x > median(x), "high", "low"), levels = c("low", "high"))
    lr <- survdiff(Surv(d$time, d$event) ~ grp)
    compare("median_split logrank chisq", lr$chisq, row$logrank$chisq)
    compare("median_split expected low", lr$exp[1], row$logrank$expected$low)
  }
  gw <- read.delim(gzfile(file.path(ref_dir, paste0(k, ".cox_genomewide.tsv.gz"))))
  for (g in head(gw$gene, n_genomewide)) {
    fit <- coxph(Surv(d$time, d$event) ~ d[[g]], ties = "efron")
    r <- gw[gw$gene == g, ]
    compare("cox_genomewide coef", coef(fit)[[1]], r$coef)
    compare("cox_genomewide se", sqrt(vcov(fit))[[1]], r$se)
    compare("cox_genomewide score_stat", summary(fit)$sctest[["test"]], r$score_stat)
  }
}

cut <- fromJSON(file.path(ref_dir, "cutpoint.json"))$results
for (i in seq_len(nrow(cut))) {
  d <- data[[cut$cohort[i]]]
  d$x <- d[[cut$gene[i]]]
  for (p in c("Lau92", "Lau94")) {
    set.seed(20240101)
    m <- maxstat.test(Surv(time, event) ~ x, data = d, smethod = "LogRank", pmethod = p,
                      minprop = 0.1, maxprop = 0.9)
    compare(paste("cutpoint p", p), m$p.value, cut[[paste0("p_", p)]][i])
    compare("cutpoint statistic", m$statistic[[1]], cut$maxstat_statistic[i])
    compare("cutpoint estimate", m$estimate[[1]], cut$maxstat_estimate[i])
  }
}

for (what in names(worst)) cat(sprintf("%-32s max relative difference %.3g\n", what, worst[[what]]))
bad <- names(worst)[unlist(worst) > 1e-6]
if (length(bad)) {
  cat("ABOVE 1e-6:", paste(bad, collapse = ", "), "\n")
  quit(status = 1)
}
cat("all within 1e-6\n")
