// The only module that reads process.env; everything else receives the parsed config.
import { runServer } from '@watch-together/service-kit'
import { buildApp } from './app.js'
import { readConfig } from './config.js'

await runServer(readConfig, buildApp)
