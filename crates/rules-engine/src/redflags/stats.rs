//! Quartiles and Tukey's fences, computed the way OCDS Cardinal computes
//! them (statrs' `OrderStatistics::quantile`, which is Hyndman and Fan's
//! type 8, "median-unbiased", interpolation), so fences and flags match.

/// The `tau`-quantile (0 ≤ tau ≤ 1) of `sorted` (ascending, no NaN
/// ordering surprises: sort with `f64::total_cmp`). NaN when empty.
pub fn quantile(sorted: &[f64], tau: f64) -> f64 {
    let (Some(&min), Some(&max)) = (sorted.first(), sorted.last()) else {
        return f64::NAN;
    };
    if !(0.0..=1.0).contains(&tau) {
        return f64::NAN;
    }
    #[allow(clippy::cast_precision_loss)]
    let n = sorted.len() as f64;
    let h = (n + 1.0 / 3.0) * tau + 1.0 / 3.0;
    // Truncation toward zero, as the reference does.
    #[allow(clippy::cast_possible_truncation)]
    let hf = h as i64;
    if hf <= 0 || tau == 0.0 {
        return min;
    }
    #[allow(clippy::cast_precision_loss)]
    if hf as f64 >= n || (tau - 1.0).abs() <= f64::EPSILON {
        return max;
    }
    let Ok(i) = usize::try_from(hf) else {
        return f64::NAN;
    };
    match (sorted.get(i - 1), sorted.get(i)) {
        #[allow(clippy::cast_precision_loss)]
        (Some(&a), Some(&b)) => a + (h - hf as f64) * (b - a),
        _ => f64::NAN,
    }
}

/// A column of values, sorted once for every quantile asked of it.
pub struct Column(Vec<f64>);

impl Column {
    pub fn new(mut values: Vec<f64>) -> Self {
        values.sort_by(f64::total_cmp);
        Column(values)
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn q1(&self) -> f64 {
        quantile(&self.0, 0.25)
    }
    pub fn q3(&self) -> f64 {
        quantile(&self.0, 0.75)
    }
    /// The `p`-th percentile (0..=100).
    pub fn percentile(&self, p: u32) -> f64 {
        quantile(&self.0, f64::from(p) / 100.0)
    }
}

/// Q1 - 1.5 IQR, with the same fused multiply-add as the reference.
pub fn lower_fence(q1: f64, q3: f64) -> f64 {
    (q3 - q1).mul_add(-1.5, q1)
}

/// Q3 + 1.5 IQR.
pub fn upper_fence(q1: f64, q3: f64) -> f64 {
    (q3 - q1).mul_add(1.5, q3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut v = v.to_vec();
        v.sort_by(f64::total_cmp);
        v
    }

    #[test]
    fn type_8_quantiles() {
        // Values checked against R's quantile(x, type = 8).
        let x = sorted(&[-1.0, 5.0, 0.0, -3.0, 10.0, -0.5, 4.0, 0.2, 1.0, 6.0]);
        assert_eq!(quantile(&x, 0.0), -3.0);
        assert_eq!(quantile(&x, 1.0), 10.0);
        assert!((quantile(&x, 0.5) - 0.6).abs() < 1e-12);
        assert!((quantile(&x, 0.2) - (-0.8)).abs() < 1e-12);
        assert!((quantile(&x, 0.7) - 137.0 / 30.0).abs() < 1e-12);
        assert_eq!(quantile(&x, 0.01), -3.0);
        assert_eq!(quantile(&x, 0.99), 10.0);
        assert!((quantile(&x, 0.325) - (-37.0 / 240.0)).abs() < 1e-12);
    }

    #[test]
    fn small_and_empty_columns() {
        assert!(quantile(&[], 0.25).is_nan());
        assert_eq!(quantile(&[7.0], 0.25), 7.0);
        assert_eq!(quantile(&[7.0], 0.75), 7.0);
        // n = 4: h = 4/3 * ... Q1 at h = 1.4167 → 1 + 0.4167 * (2 - 1).
        let c = Column::new(vec![4.0, 1.0, 3.0, 2.0]);
        assert!((c.q1() - (1.0 + 5.0 / 12.0)).abs() < 1e-12);
        assert!((c.q3() - (3.0 + 7.0 / 12.0)).abs() < 1e-12);
        assert_eq!(c.percentile(100), 4.0);
    }

    #[test]
    fn fences() {
        assert_eq!(lower_fence(1.0, 3.0), -2.0);
        assert_eq!(upper_fence(1.0, 3.0), 6.0);
    }
}
