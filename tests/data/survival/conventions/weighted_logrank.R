# Golden numbers for sigsurv's weighted log-rank tests.
# * survival::survdiff(rho = r): weights S(t-)^r, S the pooled left-continuous KM.
# * Fleming-Harrington G(p, q), weights S(t-)^p (1 - S(t-))^q:
#   - survMisc::comp (r-cran-survmisc 0.5.6) for k > 2 groups; it reproduces survdiff
#     for (p, q) = (0, 0) and (1, 0) there. For two groups survMisc uses another variance
#     (its log-rank variance differs from survdiff's, 30.499 vs 30.410 for veteran ~ trt),
#     so two-group FH goldens come from `fh_by_hand` below: survfit's pooled KM and the
#     hypergeometric variance of survdiff's C code, weighted by w^2.
# Input: veteran.csv, gbsg.csv, lung.csv (export_datasets.R). Run: Rscript weighted_logrank.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-survmisc 0.5.6,
# r-cran-jsonlite 1.8.4.
suppressMessages({library(survival); library(survMisc); library(jsonlite)})
vet <- read.csv("veteran.csv")
gbsg <- read.csv("gbsg.csv")
lung <- read.csv("lung.csv")
lung$event <- lung$status - 1

fh_by_hand <- function(time, status, group, p, q) {
  fit <- survfit(Surv(time, status) ~ 1)
  s_left <- c(1, head(fit$surv, -1))            # S(t-) at each distinct time
  w_all <- s_left^p * (1 - s_left)^q
  g1 <- sort(unique(group))[1]
  u <- 0; v <- 0
  for (j in seq_along(fit$time)) {
    tj <- fit$time[j]
    at_risk <- time >= tj
    d <- sum(status[time == tj]); if (d == 0) next
    n <- sum(at_risk); n1 <- sum(at_risk & group == g1)
    d1 <- sum(status[time == tj & group == g1])
    u <- u + w_all[j] * (d1 - d * n1 / n)
    if (n > 1) v <- v + w_all[j]^2 * d * (n1 / n) * (1 - n1 / n) * (n - d) / (n - 1)
  }
  list(o_minus_e = u, var = v, chisq = u^2 / v)
}

out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival")),
                            survMisc = as.character(packageVersion("survMisc"))),
            survdiff = list(), fh_survmisc = list(), fh_by_hand = list())
sd_case <- function(name, f, data, rho) {
  s <- survdiff(f, data = data, rho = rho)
  list(name = name, rho = rho, chisq = s$chisq, obs = as.numeric(s$obs),
       exp = as.numeric(s$exp), var = as.numeric(s$var))
}
for (rho in c(1, 0.5, 2)) {
  out$survdiff[[length(out$survdiff) + 1]] <- sd_case("veteran_trt", Surv(time, status) ~ trt, vet, rho)
  out$survdiff[[length(out$survdiff) + 1]] <- sd_case("veteran_celltype", Surv(time, status) ~ celltype, vet, rho)
  out$survdiff[[length(out$survdiff) + 1]] <- sd_case("veteran_celltype_strata_prior",
    Surv(time, status) ~ celltype + strata(prior), vet, rho)
  out$survdiff[[length(out$survdiff) + 1]] <- sd_case("gbsg_grade", Surv(rfstime, status) ~ grade, gbsg, rho)
  out$survdiff[[length(out$survdiff) + 1]] <- sd_case("lung_sex", Surv(time, event) ~ sex, lung, rho)
}
pq <- list(c(0, 1), c(1, 1), c(0.5, 2), c(1, 0), c(2, 0.5))
for (cs in list(list(name = "veteran_celltype", f = Surv(time, status) ~ celltype, d = vet),
                list(name = "gbsg_grade", f = Surv(rfstime, status) ~ grade, d = gbsg))) {
  tn <- ten(cs$f, data = cs$d)
  invisible(capture.output(comp(tn, p = sapply(pq, `[`, 1), q = sapply(pq, `[`, 2))))
  lrt <- attr(tn, "lrt")
  for (k in seq_along(pq)) {
    row <- lrt[lrt$W == paste0("FH_p=", pq[[k]][1], "_q=", pq[[k]][2]), ]
    out$fh_survmisc[[length(out$fh_survmisc) + 1]] <- list(
      name = cs$name, p = pq[[k]][1], q = pq[[k]][2], chisq = row$chiSq, df = row$df)
  }
}
# Trend test (scores 1..k) from survdiff's weighted O, E, V (as the rho = 0 goldens in
# ../basics/make.R), and survMisc::comp's trend table ($tft, scores 1..k) for FH(p, q).
out$trend <- list()
for (rho in c(1, 0.5)) {
  s <- survdiff(Surv(rfstime, status) ~ grade, data = gbsg, rho = rho)
  w <- seq_along(s$obs)
  u <- sum(w * (s$obs - s$exp)); vu <- as.numeric(t(w) %*% s$var %*% w)
  out$trend[[length(out$trend) + 1]] <- list(name = "gbsg_grade", source = "survdiff",
    p = rho, q = 0, u = u, var = vu, chisq = u^2 / vu)
}
tn <- ten(Surv(rfstime, status) ~ grade, data = gbsg)
invisible(capture.output(comp(tn, p = sapply(pq, `[`, 1), q = sapply(pq, `[`, 2))))
tft <- attr(tn, "tft")$tft
for (k in seq_along(pq)) {
  row <- tft[tft$W == paste0("FH_p=", pq[[k]][1], "_q=", pq[[k]][2]), ]
  out$trend[[length(out$trend) + 1]] <- list(name = "gbsg_grade", source = "survMisc",
    p = pq[[k]][1], q = pq[[k]][2], u = row$Q, var = row$Var, chisq = row$Z^2)
}
for (cs in list(list(name = "veteran_trt", t = vet$time, s = vet$status, g = vet$trt),
                list(name = "lung_sex", t = lung$time, s = lung$event, g = lung$sex))) {
  for (k in seq_along(pq)) {
    r <- fh_by_hand(cs$t, cs$s, cs$g, pq[[k]][1], pq[[k]][2])
    out$fh_by_hand[[length(out$fh_by_hand) + 1]] <- c(list(name = cs$name, p = pq[[k]][1],
                                                           q = pq[[k]][2]), r)
  }
}
write_json(out, "weighted_logrank.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
