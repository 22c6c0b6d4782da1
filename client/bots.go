package main

import "github.com/spf13/cobra"

func (a *app) botsCommand() *cobra.Command { return &cobra.Command{Use: "bots"} }
