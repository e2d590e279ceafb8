# Golden values of GSVA 1.46.0 (Debian r-bioc-gsva 1.46.0+ds-1, R 4.2) for the kernels
# sigsurv's method="gsva" offers: kcdf = "Poisson" on counts, "none" and "Gaussian" on
# a heavily tied matrix (values rounded to one decimal).
# Run from this directory: Rscript make.R
# Writes counts.tsv, tied.tsv (inputs, genes x samples),
# sets.tsv (set, gene) and goldens.tsv (samples x variant__set).
suppressMessages(library(GSVA))
set.seed(20261130)
n_genes <- 300
n_samples <- 40
genes <- sprintf("G%03d", seq_len(n_genes))
samples <- sprintf("S%02d", seq_len(n_samples))
mu <- exp(rnorm(n_genes, 2, 1.5))
counts <- matrix(rpois(n_genes * n_samples, rep(mu, n_samples)), n_genes, n_samples,
                 dimnames = list(genes, samples))
tied <- matrix(round(rnorm(n_genes * n_samples), 1), n_genes, n_samples,
               dimnames = list(genes, samples))
sets <- list(a = genes[sample(n_genes, 10)], b = genes[sample(n_genes, 25)],
             c = genes[sample(n_genes, 5)])
run <- function(x, kcdf, mx.diff = TRUE) {
  t(gsva(x, sets, method = "gsva", kcdf = kcdf, mx.diff = mx.diff, tau = 1,
         min.sz = 1, max.sz = Inf, parallel.sz = 1, verbose = FALSE))
}
variants <- list(
  poisson = run(counts, "Poisson"),
  poisson_nomaxdiff = run(counts, "Poisson", mx.diff = FALSE),
  none = run(tied, "none"),
  gaussian_tied = run(tied, "Gaussian")
)
scores <- do.call(cbind, lapply(names(variants), function(v) {
  m <- variants[[v]][samples, names(sets), drop = FALSE]
  colnames(m) <- paste0(v, "__", colnames(m))
  m
}))
# inputs: 15 significant digits read back to the same doubles (counts and one-decimal
# values); scores: 17, the full precision of a double
fmt <- function(m, digits) apply(m, 2, function(col) sprintf(paste0("%.", digits, "g"), col))
write_matrix <- function(m, path, first, digits = 15) {
  out <- data.frame(rownames(m), fmt(m, digits), check.names = FALSE)
  colnames(out)[1] <- first
  write.table(out, path, sep = "\t", quote = FALSE, row.names = FALSE)
}
write_matrix(counts, "counts.tsv", "gene")
write_matrix(tied, "tied.tsv", "gene")
write_matrix(scores, "goldens.tsv", "sample", digits = 17)
write.table(data.frame(set = rep(names(sets), lengths(sets)), gene = unlist(sets)),
            "sets.tsv", sep = "\t", quote = FALSE, row.names = FALSE)
