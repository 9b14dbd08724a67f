// Partial quicksort: puts the elements of ranks [want_lo, want_hi] of a vector in their sorted
// places, sorting only the partitions that overlap that range.
//
// Why not std::partial_sort: GEOSEARCH ... COUNT n returns the n nearest members, and when several
// members are at the same distance redis-server's reply lists them in the order its partial
// quicksort leaves them. That sort is Bentley & McIlroy's three-way partitioning quicksort
// ("Engineering a Sort Function", Software: Practice and Experience, 1993: insertion sort below 7
// elements, median of 3, or Tukey's ninther above 40, as pivot, equal keys gathered at both ends
// then swapped to the middle), so this follows the paper's steps exactly to give equal elements
// the same final order.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace mr::engine {

namespace partial_quicksort_detail {

// cmp(a, b) < 0, == 0, > 0 like qsort's comparator.
template <typename T, typename Cmp>
size_t MedianOf3(const std::vector<T>& v, size_t a, size_t b, size_t c, Cmp& cmp) {
  if (cmp(v[a], v[b]) < 0) {
    return cmp(v[b], v[c]) < 0 ? b : (cmp(v[a], v[c]) < 0 ? c : a);
  }
  return cmp(v[b], v[c]) > 0 ? b : (cmp(v[a], v[c]) < 0 ? a : c);
}

template <typename T>
void SwapRuns(std::vector<T>& v, size_t a, size_t b, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    std::swap(v[a + i], v[b + i]);
  }
}

// True when elements [first, first + n) include some rank of [lo, hi].
inline bool Overlaps(size_t first, size_t n, size_t lo, size_t hi) {
  return !(hi < first || lo >= first + n);
}

template <typename T, typename Cmp>
void Sort(std::vector<T>& v, size_t first, size_t n, size_t lo, size_t hi, Cmp& cmp) {
  for (;;) {
    if (n < 7) {
      for (size_t m = first + 1; m < first + n; ++m) {
        for (size_t l = m; l > first && cmp(v[l - 1], v[l]) > 0; --l) {
          std::swap(v[l], v[l - 1]);
        }
      }
      return;
    }
    size_t mid = first + n / 2;
    if (n > 7) {
      size_t left = first, right = first + n - 1;
      if (n > 40) {
        size_t d = n / 8;
        left = MedianOf3(v, left, left + d, left + 2 * d, cmp);
        mid = MedianOf3(v, mid - d, mid, mid + d, cmp);
        right = MedianOf3(v, right - 2 * d, right - d, right, cmp);
      }
      mid = MedianOf3(v, left, mid, right, cmp);
    }
    std::swap(v[first], v[mid]);  // the pivot waits at `first`
    // [first+1, a): equal to the pivot; [a, b): less; (c, d]: greater; (d, end): equal.
    size_t a = first + 1, b = first + 1;
    size_t c = first + n - 1, d = first + n - 1;
    for (;;) {
      int r;
      while (b <= c && (r = cmp(v[b], v[first])) <= 0) {
        if (r == 0) {
          std::swap(v[a++], v[b]);
        }
        ++b;
      }
      while (b <= c && (r = cmp(v[c], v[first])) >= 0) {
        if (r == 0) {
          std::swap(v[c], v[d--]);
        }
        --c;
      }
      if (b > c) {
        break;
      }
      std::swap(v[b++], v[c--]);
    }
    const size_t end = first + n;
    size_t k = std::min(a - first, b - a);
    SwapRuns(v, first, b - k, k);
    k = std::min(d - c, end - d - 1);
    SwapRuns(v, b, end - k, k);
    if (size_t less = b - a; less > 1 && Overlaps(first, less, lo, hi)) {
      Sort(v, first, less, lo, hi, cmp);
    }
    size_t greater = d - c;
    if (greater <= 1 || !Overlaps(end - greater, greater, lo, hi)) {
      return;
    }
    first = end - greater;  // loop instead of recursing on the second part
    n = greater;
  }
}

}  // namespace partial_quicksort_detail

template <typename T, typename Cmp>
void PartialQuicksort(std::vector<T>& v, size_t want_lo, size_t want_hi, Cmp cmp) {
  if (v.size() > 1) {
    partial_quicksort_detail::Sort(v, 0, v.size(), want_lo, want_hi, cmp);
  }
}

}  // namespace mr::engine
