package memstore_test

import (
	"testing"

	"github.com/quizroom/quizroom/server/memstore"
	"github.com/quizroom/quizroom/server/room"
	"github.com/quizroom/quizroom/server/storetest"
)

var _ room.Store = (*memstore.Store)(nil)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opt storetest.Options) room.Store {
		return memstore.New(memstore.Config{LogSize: opt.LogSize})
	})
}
