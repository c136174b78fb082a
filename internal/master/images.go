package master

import (
	"errors"
	"fmt"

	"github.com/pyti/pyti/internal/image"
)

// HostImage names the worker's host system in a job's images (tasks.HostImage).
const HostImage = "host"

// MaxImages bounds the images of one job: each is a cell of its matrix, run one after another.
const MaxImages = 16

// CheckImages accepts the image names of a job: each an image name (image.CheckName) or
// HostImage, none twice, at most MaxImages. Whether a worker has built them is known only there.
func CheckImages(names []string) error {
	if len(names) > MaxImages {
		return fmt.Errorf("%d images: a job runs on at most %d", len(names), MaxImages)
	}
	seen := make(map[string]bool, len(names))
	var errs []error
	for _, n := range names {
		if n != HostImage {
			if err := image.CheckName(n); err != nil {
				errs = append(errs, err)
				continue
			}
		}
		if seen[n] {
			errs = append(errs, fmt.Errorf("image %q named twice", n))
		}
		seen[n] = true
	}
	return errors.Join(errs...)
}
