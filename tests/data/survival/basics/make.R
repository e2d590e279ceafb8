# Golden numbers for sigsurv's non-Cox survival tests (KM extras, log-rank with strata,
# trend test, tertile/quartile groups, reverse-KM follow-up, maxstat, Fisher / chi-square,
# logistic regression, meta-analysis).
# Regenerate (from the repository root):
#   python tests/data/survival/basics/export_inputs.py
#   Rscript tests/data/survival/basics/make.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-maxstat 0.7-25,
# r-cran-metafor 3.8-1, r-cran-jsonlite 1.8.4 (recorded in goldens.json "versions").
suppressPackageStartupMessages({
  library(survival); library(maxstat); library(metafor); library(jsonlite)
})
args <- commandArgs(trailingOnly = FALSE)
here <- dirname(normalizePath(sub("^--file=", "", args[grep("^--file=", args)])))
out <- list()
out$versions <- list(R = R.version.string,
                     survival = as.character(packageVersion("survival")),
                     maxstat = as.character(packageVersion("maxstat")),
                     metafor = as.character(packageVersion("metafor")),
                     jsonlite = as.character(packageVersion("jsonlite")))

cohorts <- c("gse1992", "gse4335")
strata_col <- c(gse1992 = "fac_er_positive", gse4335 = "fac_er_status")
genes <- c("BCL2", "RPS6KA5", "IRF7", "ESR1", "MKI67")

# ---- reverse-KM median follow-up, KM with other CI types, groups by quantiles, trend
surv_rows <- list(); fu <- list(); km_ci <- list(); cs <- list()
for (coh in cohorts) {
  d <- read.csv(file.path(here, "inputs", paste0(coh, ".csv")), stringsAsFactors = FALSE)
  rf <- survfit(Surv(time, 1 - event) ~ 1, data = d)
  fu[[coh]] <- unname(summary(rf)$table["median"])
  sc <- exactRankTests::cscores(Surv(d$time, d$event))
  cs[[coh]] <- as.numeric(sc)
  for (ct in c("log-log", "plain")) {
    f <- survfit(Surv(time, event) ~ 1, data = d, conf.type = ct)
    s <- summary(f, times = c(12, 36, 60), extend = TRUE)
    km_ci[[length(km_ci) + 1]] <- list(cohort = coh, conf_type = ct,
      time = s$time, surv = s$surv, std_err = s$std.err, lower = s$lower, upper = s$upper,
      median = unname(summary(f)$table[c("median", "0.95LCL", "0.95UCL")]))
  }
  for (g in genes) {
    x <- d[[g]]
    for (rule in c("tertile", "quartile")) {
      k <- if (rule == "tertile") 3 else 4
      br <- quantile(x, probs = seq(0, 1, length.out = k + 1), type = 7)
      lab <- paste0(if (k == 3) "T" else "Q", 1:k)
      grp <- cut(x, breaks = br, include.lowest = TRUE, labels = lab)
      sd <- survdiff(Surv(d$time, d$event) ~ grp)
      oe <- sd$obs - sd$exp
      w <- 1:k
      u <- sum(w * oe); vu <- as.numeric(t(w) %*% sd$var %*% w)
      st <- d[[strata_col[[coh]]]]
      keep <- st %in% c("0", "1")
      sds <- survdiff(Surv(time, event) ~ grp[keep] + strata(st[keep]), data = d[keep, ])
      oes <- rowSums(as.matrix(sds$obs)) - rowSums(as.matrix(sds$exp))
      us <- sum(w * oes); vus <- as.numeric(t(w) %*% sds$var %*% w)
      surv_rows[[length(surv_rows) + 1]] <- list(
        cohort = coh, gene = g, rule = rule, breaks = unname(br[2:k]),
        groups = as.character(grp), chisq = sd$chisq,
        p = pchisq(sd$chisq, k - 1, lower.tail = FALSE),
        observed = as.numeric(sd$obs), expected = as.numeric(sd$exp),
        variance = unname(sd$var),
        trend_u = u, trend_var = vu, trend_chisq = u^2 / vu,
        trend_p = pchisq(u^2 / vu, 1, lower.tail = FALSE),
        strata_column = strata_col[[coh]],
        strata_chisq = sds$chisq, strata_df = k - 1,
        strata_p = pchisq(sds$chisq, k - 1, lower.tail = FALSE),
        strata_expected = as.numeric(rowSums(as.matrix(sds$exp))),
        strata_variance = unname(sds$var),
        strata_trend_chisq = us^2 / vus)
    }
  }
}
out$median_follow_up <- fu
out$km_conf_types <- km_ci
out$quantile_groups <- surv_rows
out$cscores <- cs

# ---- trend test == Cox score test (Breslow) when event times are untied
set.seed(20240607)
n <- 80
grp <- sample(1:4, n, replace = TRUE)
tt <- round(rexp(n, rate = 0.05 * exp(0.3 * grp)), 6)
ee <- rbinom(n, 1, 0.7)
sd <- survdiff(Surv(tt, ee) ~ grp)
oe <- sd$obs - sd$exp
u <- sum((1:4) * oe); vu <- as.numeric(t(1:4) %*% sd$var %*% (1:4))
cx <- coxph(Surv(tt, ee) ~ grp, ties = "breslow")
out$trend_untied <- list(time = tt, event = ee, group = grp, trend_chisq = u^2 / vu,
                         cox_breslow_score = unname(cx$score),
                         any_tied_event_times = any(duplicated(tt[ee == 1])))

# ---- maxstat with other proportions
mx <- list()
for (coh in cohorts) {
  d <- read.csv(file.path(here, "inputs", paste0(coh, ".csv")), stringsAsFactors = FALSE)
  for (g in c("ESR1", "MKI67")) {
    for (pr in list(c(0.1, 0.9), c(0.25, 0.75))) {
      a <- maxstat.test(Surv(time, event) ~ d[[g]], data = d, smethod = "LogRank",
                        pmethod = "Lau92", minprop = pr[1], maxprop = pr[2])
      b <- maxstat.test(Surv(time, event) ~ d[[g]], data = d, smethod = "LogRank",
                        pmethod = "Lau94", minprop = pr[1], maxprop = pr[2])
      mx[[length(mx) + 1]] <- list(cohort = coh, gene = g, minprop = pr[1], maxprop = pr[2],
        statistic = unname(a$statistic), estimate = unname(a$estimate),
        p_Lau92 = a$p.value, p_Lau94 = b$p.value, n_cuts = length(a$cuts))
    }
  }
}
out$maxstat <- mx

# ---- Fisher / chi-square on several 2x2 tables (a, b, c, d) = matrix(c(a, c, b, d), 2)
tabs <- list(c(6, 1, 8, 22), c(3, 1, 1, 3), c(10, 5, 3, 12), c(0, 5, 7, 3),
             c(12, 0, 5, 9), c(20, 30, 25, 10), c(1, 9, 11, 3), c(40, 60, 35, 65))
fi <- list()
for (tb in tabs) {
  m <- matrix(c(tb[1], tb[3], tb[2], tb[4]), 2)
  f2 <- fisher.test(m); fg <- fisher.test(m, alternative = "greater")
  fl <- fisher.test(m, alternative = "less")
  cy <- suppressWarnings(chisq.test(m, correct = TRUE))
  cn <- suppressWarnings(chisq.test(m, correct = FALSE))
  fi[[length(fi) + 1]] <- list(cells = tb,
    p = f2$p.value, or = unname(f2$estimate), lower = f2$conf.int[1], upper = f2$conf.int[2],
    p_greater = fg$p.value, lower_greater = fg$conf.int[1],
    p_less = fl$p.value, upper_less = fl$conf.int[2],
    chisq_yates = unname(cy$statistic), p_yates = cy$p.value,
    chisq = unname(cn$statistic), p_chisq = cn$p.value,
    small_expected = any(cn$expected < 5))
}
out$fisher <- fi

# ---- logistic regression: event (as a binary response) on expression
lg <- list()
for (coh in cohorts) {
  d <- read.csv(file.path(here, "inputs", paste0(coh, ".csv")), stringsAsFactors = FALSE)
  for (g in genes) {
    ctl <- glm.control(epsilon = 1e-14, maxit = 100)
    fit <- glm(event ~ d[[g]], family = binomial, data = d, control = ctl)
    # refit from the MLE so that summary()'s standard errors use the weights at the MLE
    # (glm reports the information of the last-but-one IRLS iterate)
    fit <- glm(event ~ d[[g]], family = binomial, data = d, control = ctl,
               start = coef(fit))
    co <- summary(fit)$coefficients
    lg[[length(lg) + 1]] <- list(cohort = coh, gene = g,
      coef = unname(co[, 1]), se = unname(co[, 2]), z = unname(co[, 3]), p = unname(co[, 4]),
      deviance = fit$deviance, null_deviance = fit$null.deviance, aic = fit$aic,
      lrt_p = pchisq(fit$null.deviance - fit$deviance, 1, lower.tail = FALSE))
  }
}
out$logistic <- lg

# ---- meta-analysis: BCG trials (log RR) and the reference Cox log-HRs of 2 cohorts
dat <- escalc(measure = "RR", ai = tpos, bi = tneg, ci = cpos, di = cneg, data = dat.bcg)
ma <- list()
add_meta <- function(name, yi, vi) {
  fe <- rma(yi, vi, method = "FE"); dl <- rma(yi, vi, method = "DL")
  list(name = name, yi = as.numeric(yi), sei = sqrt(as.numeric(vi)),
       fe = list(b = as.numeric(fe$b), se = fe$se, z = fe$zval, p = fe$pval,
                 lower = fe$ci.lb, upper = fe$ci.ub, weights = unname(weights(fe))),
       dl = list(b = as.numeric(dl$b), se = dl$se, z = dl$zval, p = dl$pval,
                 lower = dl$ci.lb, upper = dl$ci.ub, weights = unname(weights(dl))),
       Q = fe$QE, Q_p = fe$QEp, I2 = dl$I2, H2 = dl$H2, I2_fe = fe$I2, H2_fe = fe$H2,
       tau2 = dl$tau2)
}
ma[[1]] <- add_meta("dat.bcg log RR", dat$yi, dat$vi)
ma[[2]] <- add_meta("homogeneous", c(-0.51, -0.22, -0.80), c(0.25, 0.18, 0.30)^2)
ref <- "../../../../../shared/reference"
if (dir.exists(file.path(here, ref))) {
  cx <- rbind(read.delim(file.path(here, ref, "gse1992.cox_univariate.tsv")),
              read.delim(file.path(here, ref, "gse4335.cox_univariate.tsv")))
  cx <- cx[cx$scaling == "zscore" & cx$ties == "efron", ]
  for (g in c("BCL2", "ESR1", "MKI67", "IRF7")) {
    r <- cx[cx$gene == g, ]
    ma[[length(ma) + 1]] <- add_meta(paste("cox zscore", g), r$coef, r$se^2)
  }
}
out$meta <- ma

write_json(out, file.path(here, "goldens.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "null")
