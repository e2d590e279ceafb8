# Golden numbers for sigsurv's IPCW discrimination with R's conventions:
# Uno's C = survival::concordance(Surv(time, status) ~ x, timewt = "n/G2", ymax = tau,
# reverse = TRUE) (weights 1 / G(t-)^2, events up to and including tau), and the
# cumulative/dynamic AUC = riskRegression::Score(metrics = "auc", cens.model = "km")
# (cases weighted 1 / G(T_i-)). Score needs risks in [0, 1]: each predictor is divided by
# a constant, which changes no rank.
# Input: gbsg.csv and veteran.csv (export_datasets.R). Run here: Rscript discrimination.R
# Software: Debian 12 r-base-core 4.2.2, r-cran-survival 3.5-3, r-cran-riskregression
# (version stored in the JSON), r-cran-jsonlite 1.8.4.
suppressMessages({library(survival); library(riskRegression); library(jsonlite)})
gbsg <- read.csv("gbsg.csv")
vet <- read.csv("veteran.csv")
cases <- list(
  list(data = "gbsg", time = "rfstime", status = "status", x = "nodes", div = 60),
  list(data = "gbsg", time = "rfstime", status = "status", x = "size", div = 200),
  list(data = "gbsg", time = "rfstime", status = "status", x = "age", div = 100),
  list(data = "veteran", time = "time", status = "status", x = "karno", div = -100))
out <- list(versions = list(R = R.version.string,
                            survival = as.character(packageVersion("survival")),
                            riskRegression = as.character(packageVersion("riskRegression"))),
            cases = list())
for (cs in cases) {
  d <- if (cs$data == "gbsg") gbsg else vet
  tt <- d[[cs$time]]; st <- d[[cs$status]]
  x <- d[[cs$x]]
  risk <- if (cs$div < 0) 1 + x / cs$div else x / cs$div  # karno: higher = lower risk
  etimes <- sort(unique(tt[st == 1]))
  taus <- c(etimes[floor(length(etimes) / 2)], quantile(tt, 0.8, type = 1, names = FALSE))
  uno <- sapply(taus, function(tau)
    concordance(Surv(tt, st) ~ risk, timewt = "n/G2", ymax = tau, reverse = TRUE)$concordance)
  uno_all <- concordance(Surv(tt, st) ~ risk, timewt = "n/G2", reverse = TRUE)$concordance
  horizons <- unname(quantile(tt, c(0.2, 0.4, 0.6), type = 1))
  horizons <- sort(c(horizons, etimes[floor(length(etimes) / 3)]))  # Score sorts times
  m <- matrix(risk, nrow(d), length(horizons))
  df <- data.frame(time = tt, status = st)
  sc <- Score(list(marker = m), formula = Surv(time, status) ~ 1, data = df,
              times = horizons, metrics = "auc", cens.model = "km", null.model = FALSE,
              conf.int = FALSE)
  out$cases[[length(out$cases) + 1]] <- list(
    data = cs$data, time = cs$time, status = cs$status, predictor = cs$x,
    sign = sign(cs$div), tau = taus, uno_c = unname(uno), uno_c_all = unname(uno_all),
    horizons = horizons, auc = sc$AUC$score$AUC)
}
write_json(out, "discrimination.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
